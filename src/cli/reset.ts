import { defineCommand } from "citty"
import { loadProject } from "../config/load.ts"
import { didYouMean } from "../config/problems.ts"
import { InputError } from "../errors.ts"
import { updateState } from "../project/state.ts"
import { globalOptions } from "./context.ts"
import { c, println } from "./output.ts"

export default defineCommand({
  meta: { name: "reset", description: "Run a container's init scripts again: now if it runs (after its ready check), else on the next start" },
  args: { name: { type: "positional", required: true, description: "A [docker.*] container" } },
  async run({ args }) {
    const { config } = await loadProject({ file: globalOptions.file })
    const name = String(args.name)
    const c0 = config.docker[name]
    if (!c0) throw new InputError(`unknown container \`${name}\`${didYouMean(name, Object.keys(config.docker))}`, { hint: `Known: ${Object.keys(config.docker).join(", ") || "(none)"}` })
    if (!c0.init.length) {
      println(`[docker.${name}] has no init scripts`)
      return 0
    }
    const { rerunInit } = await import("../docker/phase.ts")
    const record = await rerunInit(config.identity, c0)
    const root = config.identity.root
    if (!record) {
      // Stopped (or never created): forgetting the record makes the next start run them.
      updateState(root, (s) => void delete s.initDone[name])
      println(`${c.green("✓")} ${name} is not running: its init scripts run again on the next \`devrig start\``)
      return 0
    }
    updateState(root, (s) => void (s.initDone[name] = record))
    println(`${c.green("✓")} ran ${c0.init.length} init script${c0.init.length === 1 ? "" : "s"} in ${name}`)
    return 0
  },
})
