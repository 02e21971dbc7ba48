// A descendant that wiped its environment (`env -i`, so no DEVRIG_RUN marker) and left the process
// group (setsid) is still ended — on `stop`, and by the watchdog after a SIGKILL of the
// supervisor — because devrig also follows the recorded group's children by parent pid
// (docs/adr/009). Runs on both backends (scripts/test repeats it with DEVRIG_PLATFORM=portable).
import { afterAll, expect, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { assertCleanedUp, isAlive, killLeftovers, project, startDetached, waitFor } from "../../helpers/proc-fixtures.ts"

afterAll(killLeftovers)

/** PIDs whose environment is exactly the one `env -i TAG=<tag>` gave them. */
function tagged(tag: string): number[] {
  const out: number[] = []
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue
    try {
      if (readFileSync(`/proc/${e}/environ`, "latin1").includes(`TAG=${tag}\0`)) out.push(Number(e))
    } catch {}
  }
  return out.filter((p) => isAlive(p))
}

function pgidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2])
}

for (const how of ["stop", "SIGKILL"] as const) {
  test.skipIf(process.platform !== "linux")(`an unmarked, setsid'd child of a service is ended (${how})`, async () => {
    const tag = `unmarked-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
    const p = project(`unmarked-${how === "stop" ? "stop" : "kill"}`, `[services.wiper]\ncommand = "env -i TAG=${tag} setsid sleep 600 & exec sleep 600"\n`)
    await startDetached(p)
    const [child] = await waitFor(() => (tagged(tag).length ? tagged(tag) : undefined), "the unmarked child")
    const leader = (await p.component("wiper")).pid!
    // the premise: no marker, another process group
    expect(readFileSync(`/proc/${child}/environ`, "latin1")).not.toContain("DEVRIG_RUN=")
    expect(pgidOf(child!)).not.toBe(leader)
    const sup = p.supervisorPid()!
    if (how === "stop") {
      const r = await p.run(["stop"])
      expect(r.exitCode, r.stderr).toBe(0)
    } else {
      process.kill(sup, "SIGKILL")
    }
    await waitFor(() => tagged(tag).length === 0, "the unmarked child to be gone", 15_000, 100)
    await waitFor(() => !isAlive(sup), "the supervisor to be gone", 5000)
    await assertCleanedUp(p, [], sup)
  }, 60_000)
}
