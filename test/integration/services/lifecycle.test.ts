// start / stop lifecycle of local processes with the compiled binary: detached and foreground,
// reachable over HTTP while up, port released and every process gone after.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { assertCleanedUp, freePort, httpStatus, isAlive, killLeftovers, markedPids, project, spawnDevrig, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

const web = (port: number | string) => `
[services.web]
command = "exec python3 -m http.server $PORT"
port = ${typeof port === "number" ? port : `"${port}"`}
`

test("start -d: service answers HTTP, ps shows it running; stop releases the port and ends every process", async () => {
  const port = await freePort()
  const p = project("life", web(port) + `\n[services.idle]\ncommand = "sleep 600"\n`)
  const r = await startDetached(p)
  expect(r.stdout).toContain(`life (${p.slug.split("-").pop()})`)
  expect(r.stdout).toMatch(new RegExp(`web\\s+http://localhost:${port}\\s+● running`))
  expect(r.stdout).toMatch(/idle\s+● running/)
  expect(await httpStatus(port)).toBe(200)

  const ps = await p.ps()
  expect(ps.running).toBe(true)
  expect(ps.project.slug).toBe(p.slug)
  expect(ps.components.map((c) => [c.name, c.state])).toEqual([
    ["web", "running"],
    ["idle", "running"],
  ])
  const sup = ps.supervisorPid!
  expect(isAlive(sup)).toBe(true)
  // Both services carry the run marker (that is what cleanup relies on).
  expect(markedPids(p.slug, "web")).toContain(ps.components[0]!.pid!)
  expect(markedPids(p.slug, "idle")).toContain(ps.components[1]!.pid!)
  expect(existsSync(join(p.dir, ".devrig", "control.sock"))).toBe(true)

  const s = await stop(p)
  expect(s.stdout).toContain("Stopped life")
  await assertCleanedUp(p, [port], sup)
  expect(await httpStatus(port)).toBe(0)
  expect(existsSync(join(p.dir, ".devrig", "control.sock"))).toBe(false)

  const after = await p.ps()
  expect(after.running).toBe(false)
  expect(after.components.map((c) => c.state)).toEqual(["stopped", "stopped"])
})

test("foreground start: summary, then SIGINT stops everything and exits 0", async () => {
  const port = await freePort()
  const p = project("fg", web(port) + `\n[services.ticker]\ncommand = "while :; do echo tick; sleep 0.2; done"\n`)
  const run = spawnDevrig(p, ["start"])
  await run.waitOutput(/Press Ctrl\+C to stop all services/)
  expect(run.output()).toMatch(new RegExp(`web\\s+http://localhost:${port}\\s+● running`))
  // The unified log stream: `name | line`.
  await run.waitOutput(/ticker\s+\| tick/)
  expect(await httpStatus(port)).toBe(200)
  const sup = run.proc.pid
  expect(markedPids(p.slug).length).toBeGreaterThanOrEqual(2)

  run.proc.kill("SIGINT")
  expect(await run.exited).toBe(0)
  expect(run.output()).toContain("Stopped fg")
  await assertCleanedUp(p, [port], sup)
  expect((await p.ps()).running).toBe(false)
})

test("foreground start: SIGTERM also stops everything and exits 0", async () => {
  const p = project("fgterm", `[services.idle]\ncommand = "sleep 600"\n`)
  const run = spawnDevrig(p, ["start"])
  await run.waitOutput(/Press Ctrl\+C/)
  await waitFor(() => markedPids(p.slug, "idle").length > 0, "idle to run")
  run.proc.kill("SIGTERM")
  expect(await run.exited).toBe(0)
  await assertCleanedUp(p, [], run.proc.pid)
})

test("stop of a project that is not running: exit 0, says so", async () => {
  const p = project("idle", `[services.idle]\ncommand = "sleep 600"\n`)
  const r = await p.run(["stop"])
  expect(r.exitCode).toBe(0)
  expect(r.stdout).toContain("idle is not running")

  // …and after a real stop, a second stop says the same.
  await startDetached(p)
  const sup = p.supervisorPid()
  await stop(p)
  const again = await p.run(["stop"])
  expect(again.exitCode).toBe(0)
  expect(again.stdout).toContain("idle is not running")
  await assertCleanedUp(p, [], sup)
})

test("start -d while the project runs: exit 1 naming the supervisor; the running one is untouched", async () => {
  const p = project("twice", `[services.idle]\ncommand = "sleep 600"\n`)
  await startDetached(p)
  const sup = p.supervisorPid()!
  const pid = (await p.component("idle")).pid
  const r = await p.run(["start", "-d"])
  expect(r.exitCode).toBe(1)
  expect(r.stderr).toContain(`twice is already running (supervisor pid ${sup}, since `)
  expect((await p.component("idle")).pid).toBe(pid!)
  await stop(p)
  await assertCleanedUp(p, [], sup)
})
