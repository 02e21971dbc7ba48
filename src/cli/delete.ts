import { defineCommand } from "citty"
import { rmSync } from "node:fs"
import { statePaths } from "../project/identity.ts"
import { removeInstance } from "../project/registry.ts"
import { controlRequest } from "../services/control.ts"
import { recoverOrphans } from "../services/recover.ts"
import { deleteInfraByLabel } from "../services/teardown.ts"
import { c, println } from "./output.ts"
import { project, waitForExit } from "./project-cmd.ts"

export default defineCommand({
  meta: { name: "delete", description: "Stop, then remove everything this project created: containers, volumes, network, cluster, .devrig/" },
  async run() {
    const { loaded, supervisor } = project()
    const ident = loaded.identity
    if (supervisor) {
      await controlRequest(ident.root, "/stop", { method: "POST", body: { services: [] }, timeoutMs: 120_000 })
      if (!(await waitForExit(supervisor.pid, 120_000))) process.kill(supervisor.pid, "SIGKILL")
    }
    await recoverOrphans(ident.root, ident.slug, (m) => println(`  ${c.dim("»")} ${m}`))
    const removed = await deleteInfraByLabel(loaded, (m) => println(`  ${c.dim("»")} ${m}`))
    rmSync(statePaths(ident.root).dir, { recursive: true, force: true })
    removeInstance(ident.slug)
    println(`${c.green("✓")} Deleted ${ident.name}${removed ? ` (${removed})` : ""}`)
    return 0
  },
})
