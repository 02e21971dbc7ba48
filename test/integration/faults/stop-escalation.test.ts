// Stop escalation: a service that traps SIGTERM is SIGKILLed once its grace period is over
// (the stop takes at most grace + 1 s), nothing is left as a zombie, and a setsid grandchild
// that keeps the stdout pipe open (and ignores SIGTERM too) does not hang the stop.
import { expect, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { assertCleanedUp, markedPids, project, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"

/** Children of `ppid` that are zombies (state Z). */
function zombieChildren(ppid: number): number[] {
  const out: number[] = []
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8")
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (f[0] === "Z" && Number(f[1]) === ppid) out.push(Number(e))
    } catch {}
  }
  return out
}

test("a SIGTERM-trapping service is SIGKILLed after its grace period; a pipe-holding grandchild does not hang the stop; no zombies", async () => {
  const p = project(
    "escalate",
    `
[services.stubborn]
command = "trap 'echo got TERM' TERM; echo up; while :; do sleep 0.1; done"
stop_timeout = "2s"

[services.piper]
# the grandchild leaves the process group (setsid), ignores SIGTERM and holds stdout open
command = "setsid sh -c 'trap \\"\\" TERM; while :; do echo held; sleep 0.5; done' & exec sleep 600"
stop_timeout = "1s"

[services.idle]
command = "sleep 600"
`,
  )
  await startDetached(p)
  const sup = p.supervisorPid()!
  await waitFor(() => markedPids(p.slug, "piper").length >= 2 && p.read(".devrig/logs/piper.log").includes("held"), "the grandchild to write")

  let t = Date.now()
  const r1 = await p.run(["stop", "stubborn"])
  const stubbornMs = Date.now() - t
  expect(r1.exitCode, r1.stderr).toBe(0)
  expect(markedPids(p.slug, "stubborn")).toEqual([])
  expect(stubbornMs).toBeGreaterThanOrEqual(2000) // it did get its grace period
  expect(stubbornMs).toBeLessThanOrEqual(3000)
  expect(p.read(".devrig/logs/stubborn.log")).toContain("got TERM")

  t = Date.now()
  const r2 = await p.run(["stop", "piper"])
  const piperMs = Date.now() - t
  expect(r2.exitCode, r2.stderr).toBe(0)
  expect(markedPids(p.slug, "piper")).toEqual([])
  expect(piperMs).toBeLessThanOrEqual(2000)
  console.log(`[escalation] stubborn stopped in ${stubbornMs} ms (grace 2 s), piper in ${piperMs} ms (grace 1 s)`)

  expect((await p.component("stubborn")).state).toBe("stopped")
  expect((await p.component("piper")).state).toBe("stopped")
  expect((await p.component("idle")).state).toBe("running")
  // every child the supervisor had was reaped
  await waitFor(() => zombieChildren(sup).length === 0, "no zombie children of the supervisor", 2000)

  await stop(p)
  await assertCleanedUp(p, [], sup)
}, 30_000)
