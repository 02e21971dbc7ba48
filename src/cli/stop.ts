import { defineCommand } from "citty"
import { ExternalError } from "../errors.ts"
import { controlRequest } from "../services/control.ts"
import { recoverOrphans } from "../services/recover.ts"
import { stopInfraByLabel } from "../services/teardown.ts"
import { onStateWriteError } from "../project/state.ts"
import { c, eprintln, println } from "./output.ts"
import { assertProjectEnded, checkNames, endSupervisor, project } from "./project-cmd.ts"

export default defineCommand({
  meta: { name: "stop", description: "Stop everything (or the named services); state, ports and volumes are kept" },
  args: { services: { type: "positional", required: false, description: "Services to stop (default: all)" } },
  async run({ args }) {
    const { loaded, supervisor } = project()
    const names = args._.map(String)
    checkNames(loaded, names, "services")
    const ident = loaded.identity
    // The state file is advisory: a full or read-only disk must not stop `stop`.
    let warned = false
    onStateWriteError((file, e) => {
      if (!warned) eprintln(`${c.yellow("!")} cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? e.message})`)
      warned = true
    })
    if (supervisor && names.length) {
      const done = await controlRequest(ident.root, "/stop", { method: "POST", body: { services: names }, timeoutMs: 120_000 })
      if (done === undefined) throw new ExternalError(`cannot reach the supervisor of ${ident.name} (pid ${supervisor.pid}) over its control socket`, { hint: "`devrig stop` (without names) ends it anyway" })
      println(`${c.green("✓")} Stopped ${names.join(", ")}`)
      return 0
    }
    // Returns once the supervisor, its watchdog and every process of the run are gone.
    if (supervisor) await endSupervisor(ident.root, supervisor.pid)
    const cleaned = await recoverOrphans(ident.root, ident.slug, (m) => println(`  ${c.dim("»")} ${m}`))
    const containers = names.length || supervisor ? 0 : await stopInfraByLabel(loaded)
    await assertProjectEnded(loaded)
    println(supervisor || cleaned || containers ? `${c.green("✓")} Stopped ${ident.name}` : `${ident.name} is not running`)
    return 0
  },
})
