import { defineCommand } from "citty"
import { readdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { ALT_PREFIX, statePaths } from "../project/identity.ts"
import { removeInstance } from "../project/registry.ts"
import { recoverOrphans } from "../services/recover.ts"
import { deleteInfraByLabel } from "../services/teardown.ts"
import { c, println } from "./output.ts"
import { assertProjectEnded, endSupervisor, project } from "./project-cmd.ts"

export default defineCommand({
  meta: { name: "delete", description: "Stop, then remove everything this project created: containers, volumes, network, cluster, .devrig/" },
  async run() {
    const { loaded, supervisor } = project()
    const ident = loaded.identity
    if (supervisor) await endSupervisor(ident.root, supervisor.pid)
    await recoverOrphans(ident.root, ident.slug, (m) => println(`  ${c.dim("»")} ${m}`))
    await assertProjectEnded(loaded)
    const removed = await deleteInfraByLabel(loaded, (m) => println(`  ${c.dim("»")} ${m}`))
    removeStateDir(statePaths(ident.root).dir)
    removeInstance(ident.slug)
    println(`${c.green("✓")} Deleted ${ident.name}${removed ? ` (${removed})` : ""}`)
    return 0
  },
})

/** Removes .devrig/ — except the state of other config files in the same folder (config-*). */
function removeStateDir(dir: string): void {
  let entries: string[] = []
  try {
    entries = readdirSync(dir)
  } catch {
    return
  }
  const others = entries.filter((e) => e.startsWith(ALT_PREFIX))
  if (!others.length || !dir.endsWith(".devrig")) return void rmSync(dir, { recursive: true, force: true })
  for (const e of entries) if (!others.includes(e)) rmSync(join(dir, e), { recursive: true, force: true })
}
