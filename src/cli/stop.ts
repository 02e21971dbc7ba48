import { defineCommand } from "citty"
import { controlRequest } from "../services/control.ts"
import { recoverOrphans } from "../services/recover.ts"
import { stopInfraByLabel } from "../services/teardown.ts"
import { c, println } from "./output.ts"
import { checkNames, project, waitForExit } from "./project-cmd.ts"

export default defineCommand({
  meta: { name: "stop", description: "Stop everything (or the named services); state, ports and volumes are kept" },
  args: { services: { type: "positional", required: false, description: "Services to stop (default: all)" } },
  async run({ args }) {
    const { loaded, supervisor } = project()
    const names = args._.map(String)
    checkNames(loaded, names, "services")
    const ident = loaded.identity
    if (supervisor) {
      await controlRequest(ident.root, "/stop", { method: "POST", body: { services: names }, timeoutMs: 120_000 })
      if (names.length) {
        println(`${c.green("✓")} Stopped ${names.join(", ")}`)
        return 0
      }
      if (!(await waitForExit(supervisor.pid, 120_000))) process.kill(supervisor.pid, "SIGKILL")
      println(`${c.green("✓")} Stopped ${ident.name}`)
      return 0
    }
    const cleaned = await recoverOrphans(ident.root, ident.slug, (m) => println(`  ${c.dim("»")} ${m}`))
    const containers = names.length ? 0 : await stopInfraByLabel(loaded)
    println(cleaned || containers ? `${c.green("✓")} Stopped ${ident.name}` : `${ident.name} is not running`)
    return 0
  },
})
