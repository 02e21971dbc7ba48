import { defineCommand } from "citty"
import { InputError } from "../errors.ts"
import { controlRequest } from "../services/control.ts"
import { c, println } from "./output.ts"
import { checkNames, project } from "./project-cmd.ts"

export default defineCommand({
  meta: { name: "restart", description: "Stop and start a service (or container) of the running project" },
  args: { name: { type: "positional", required: true, description: "Service or container to restart" } },
  async run({ args }) {
    const { loaded, supervisor } = project()
    const names = args._.map(String)
    checkNames(loaded, names)
    if (!supervisor) throw new InputError(`${loaded.identity.name} is not running`, { hint: "Start it with `devrig start`" })
    await controlRequest(loaded.identity.root, "/restart", { method: "POST", body: { services: names }, timeoutMs: 120_000 })
    println(`${c.green("✓")} Restarted ${names.join(", ")}`)
    return 0
  },
})
