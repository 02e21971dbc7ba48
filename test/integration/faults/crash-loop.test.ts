// A crash loop: a service that exits 1 at once restarts on the backoff schedule (1 s, 2 s, 4 s,
// ±10 %), stops at max_restarts, and the supervisor stays under 5 % of a core meanwhile.
import { expect, test } from "bun:test"
import { assertCleanedUp, project, stamps, startDetached, stop } from "../../helpers/proc-fixtures.ts"
import { CLK_TCK, cpuTicks } from "./helpers.ts"

test("crash loop: backoff 1 s, 2 s, 4 s within ±10 %, gives up at max_restarts, supervisor < 5 % CPU", async () => {
  const p = project("crashloop", `[services.crashy]\ncommand = "date +%s.%N >> starts; exit 1"\nmax_restarts = 3\n\n[services.idle]\ncommand = "sleep 600"\n`)
  await startDetached(p)
  const sup = p.supervisorPid()!
  const ticks0 = cpuTicks(sup)
  const t0 = performance.now()
  const failed = await p.waitState("crashy", "failed", 15_000)
  const wallS = (performance.now() - t0) / 1000
  const cpu = (cpuTicks(sup) - ticks0) / CLK_TCK / wallS
  expect(failed.restarts).toBe(3)
  expect(failed.error).toContain("gave up after 3 restarts")

  const t = stamps(p, "starts")
  expect(t.length).toBe(4)
  const gaps = t.slice(1).map((x, i) => x - t[i]!)
  console.log(`[crash-loop] gaps ${gaps.map((g) => Math.round(g)).join(", ")} ms; supervisor CPU ${(cpu * 100).toFixed(2)} % of a core over ${wallS.toFixed(1)} s (incl. ps polling)`)
  ;[1000, 2000, 4000].forEach((want, i) => {
    expect(gaps[i]!).toBeGreaterThanOrEqual(want * 0.9)
    expect(gaps[i]!).toBeLessThanOrEqual(want * 1.1)
  })
  // the ps --json polling of waitState is counted too: the supervisor stays well under 5 %
  expect(cpu).toBeLessThan(0.05)
  // no further restarts once failed
  expect(stamps(p, "starts").length).toBe(4)
  expect((await p.component("idle")).state).toBe("running")
  await stop(p)
  await assertCleanedUp(p, [], sup)
}, 30_000)
