// A crash loop: a service that exits 1 at once restarts on the backoff schedule (1 s, 2 s, 4 s),
// stops at max_restarts, and the supervisor stays under 5 % of a core meanwhile. The schedule is
// read from devrig's own lifecycle events (the `restart` event's delay and the time of the next
// `start`), not from the shell's `date` stamps, whose spawn latency on a loaded machine is not
// devrig's.
import { expect, test } from "bun:test"
import { assertCleanedUp, project, stamps, startDetached, stop } from "../../helpers/proc-fixtures.ts"
import { CLK_TCK, cpuTicks } from "./helpers.ts"

test("crash loop: backoff 1 s, 2 s, 4 s (devrig's own events), gives up at max_restarts, supervisor < 5 % CPU", async () => {
  const p = project("crashloop", `[services.crashy]\ncommand = "date +%s.%N >> starts; exit 1"\nmax_restarts = 3\n\n[services.idle]\ncommand = "sleep 600"\n\n[dashboard]\n`)
  await startDetached(p)
  const sup = p.supervisorPid()!
  const ticks0 = cpuTicks(sup)
  const t0 = performance.now()
  const failed = await p.waitState("crashy", "failed", 15_000)
  const wallS = (performance.now() - t0) / 1000
  const cpu = (cpuTicks(sup) - ticks0) / CLK_TCK / wallS
  expect(failed.restarts).toBe(3)
  expect(failed.error).toContain("gave up after 3 restarts")

  expect(stamps(p, "starts").length).toBe(4)
  const q = await p.run(["query", "logs", "--service", "devrig", "--limit", "1000"])
  expect(q.exitCode, q.stderr).toBe(0)
  const events = q.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { timestamp: string; attributes: Record<string, string | number> })
    .filter((e) => e.attributes["devrig.component"] === "crashy")
    .map((e) => ({ event: String(e.attributes["devrig.event"]), at: Date.parse(e.timestamp), delay: e.attributes.delay_ms }))
    .sort((a, b) => a.at - b.at)
  const starts = events.filter((e) => e.event === "start")
  const restarts = events.filter((e) => e.event === "restart")
  expect(starts.length).toBe(4)
  expect(restarts.map((e) => e.delay)).toEqual([1000, 2000, 4000])
  const gaps = restarts.map((r, i) => starts[i + 1]!.at - r.at)
  console.log(`[crash-loop] restart → next start ${gaps.join(", ")} ms; supervisor CPU ${(cpu * 100).toFixed(2)} % of a core over ${wallS.toFixed(1)} s (incl. ps polling)`)
  ;[1000, 2000, 4000].forEach((want, i) => {
    // a timer never fires early (1 ms for the clock's rounding); late by up to 10 % + 100 ms of
    // scheduling on a loaded 2-core machine (4 parallel test files) is not a wrong schedule
    expect(gaps[i]!).toBeGreaterThanOrEqual(want - 1)
    expect(gaps[i]!).toBeLessThanOrEqual(want * 1.1 + 100)
  })
  // the ps --json polling of waitState is counted too: the supervisor stays well under 5 %
  expect(cpu).toBeLessThan(0.05)
  // no further restarts once failed
  expect(stamps(p, "starts").length).toBe(4)
  expect((await p.component("idle")).state).toBe("running")
  await stop(p)
  await assertCleanedUp(p, [], sup)
}, 30_000)
