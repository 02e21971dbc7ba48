// Regression: two `devrig start -d` at the same moment both went ahead; the second unlinked the
// first's control socket and orphaned it. One supervisor per project: the loser exits 1 naming
// the holder (pid, since when), the winner keeps answering, and a lock left by a SIGKILLed
// supervisor does not block the next start.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { assertCleanedUp, isAlive, killLeftovers, project, spawnDevrig, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"
import { watchdogPids } from "../faults/helpers.ts"

setDefaultTimeout(60_000)
afterAll(killLeftovers)

const body = `[services.a]\ncommand = "exec sleep 600"\n\n[services.b]\ncommand = "exec sleep 600"\n`

test("two concurrent start -d: one wins, the other exits 1 naming the holder; one supervisor, one watchdog", async () => {
  const p = project("lockrace", body)
  const [r1, r2] = await Promise.all([p.run(["start", "-d"]), p.run(["start", "-d"])])
  const codes = [r1.exitCode, r2.exitCode].sort()
  expect(codes, r1.stderr + r2.stderr).toEqual([0, 1])
  const loser = r1.exitCode === 1 ? r1 : r2
  const sup = p.supervisorPid()!
  expect(loser.stderr).toContain(`already running (supervisor pid ${sup}, since `)
  expect(watchdogPids(p.dir).length).toBe(1)
  const ps = await p.ps()
  expect(ps.supervisorPid).toBe(sup)
  expect(ps.components.map((c) => c.state)).toEqual(["running", "running"])
  await stop(p)
  await assertCleanedUp(p, [], sup)
})

test("foreground start racing start -d: exactly one supervisor runs", async () => {
  const p = project("lockfg", body)
  const fg = spawnDevrig(p, ["start"])
  const d = await p.run(["start", "-d"])
  const fgCode = await Promise.race([fg.exited, fg.waitOutput(/Press Ctrl\+C/, 30_000).then(() => undefined)])
  if (d.exitCode === 0) {
    // -d won: the foreground one must have given up with exit 1, having started nothing
    expect(fgCode ?? (await fg.exited), fg.output()).toBe(1)
    expect(fg.output()).toContain("already running (supervisor pid")
  } else {
    expect(d.exitCode, d.stderr).toBe(1)
    expect(d.stderr).toContain(`already running (supervisor pid ${fg.proc.pid}, since `)
    expect(fgCode).toBeUndefined()
  }
  const sup = p.supervisorPid()!
  expect((await p.ps()).supervisorPid).toBe(sup)
  await stop(p)
  await waitFor(async () => !isAlive(fg.proc.pid) || (await fg.exited, true), "the foreground devrig to end")
  await assertCleanedUp(p, [], sup)
})

for (const [what, holder] of [
  // pid 2^22-1 is above the default pid_max: never a live process
  ["a pid that is gone", { pid: 4194303, startTime: 1 }],
  // a live pid whose start time differs: the PID was reused by another process
  ["a reused pid", { pid: process.pid, startTime: 1 }],
] as const)
  test(`a lock left by a dead supervisor (${what}) does not block the next start`, async () => {
    const p = project("lockstale", body)
    p.write(".devrig/.keep", "")
    writeFileSync(join(p.dir, ".devrig", "supervisor.pid"), JSON.stringify({ ...holder, startedAt: "2020-01-01T00:00:00.000Z" }))
    await startDetached(p)
    const sup = p.supervisorPid()
    expect((await p.ps()).components.every((c) => c.state === "running")).toBe(true)
    await stop(p)
    await assertCleanedUp(p, [], sup)
  })

test("after a SIGKILLed supervisor, the next start -d takes the lock", async () => {
  const p = project("lockkill", body)
  await startDetached(p)
  const sup = p.supervisorPid()!
  process.kill(sup, "SIGKILL")
  await waitFor(() => !isAlive(sup), "the supervisor to die")
  await startDetached(p)
  const sup2 = p.supervisorPid()!
  expect(sup2).not.toBe(sup)
  expect((await p.ps()).supervisorPid).toBe(sup2)
  await stop(p)
  await assertCleanedUp(p, [], sup2)
})
