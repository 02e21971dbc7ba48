// Stop semantics: SIGTERM to the process group, SIGKILL after stop_timeout for a child that traps
// SIGTERM, `stop <svc>` stops only that one, `restart <svc>` gives it a new process.
//
// Time bounds: the lower ones are exact (a stop cannot end before its grace period). The upper
// ones are measured around a `devrig stop` process, so they include that binary's start and the
// control-socket round trip, which on a 2-core machine running 4 test files at once can take
// over a second. They are set to half the default stop_timeout (10 s): what they prove is that
// nothing waited for a grace period it should not have, not how fast the machine is.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { assertCleanedUp, assertNoProcesses, assertPortFree, freePort, httpStatus, isAlive, killLeftovers, markedPids, project, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

const stubborn = `
[services.stubborn]
command = "trap 'echo got TERM' TERM; echo started; while :; do sleep 0.1; done"
stop_timeout = "1s"
`

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now()
  const v = await fn()
  return [v, performance.now() - t]
}

const NOT_A_DEFAULT_GRACE_MS = 5000

test("a service that traps SIGTERM gets SIGTERM first, then SIGKILL after stop_timeout (not the 10 s default)", async () => {
  const p = project("stubborn", stubborn + `\n[services.other]\ncommand = "sleep 600"\n`)
  await startDetached(p)
  const sup = p.supervisorPid()
  const pid = (await p.component("stubborn")).pid!
  await waitFor(() => p.read(".devrig/logs/stubborn.log").includes("started"), "stubborn to print")

  const [r, ms] = await timed(() => p.run(["stop", "stubborn"]))
  expect(r.exitCode).toBe(0)
  expect(r.stdout).toContain("Stopped stubborn")
  expect(ms).toBeGreaterThanOrEqual(950) // it waited out the grace period…
  expect(ms).toBeLessThan(NOT_A_DEFAULT_GRACE_MS) // …its own 1 s, not the default 10 s
  expect(p.read(".devrig/logs/stubborn.log")).toContain("got TERM")
  expect(isAlive(pid)).toBe(false)
  assertNoProcesses(p.slug, "stubborn")
  expect((await p.component("stubborn")).state).toBe("stopped")
  expect((await p.component("other")).state).toBe("running")

  // The whole project: the same bound, through the supervisor's shutdown.
  expect((await p.run(["restart", "stubborn"])).exitCode).toBe(0)
  await p.waitState("stubborn", "running")
  await waitFor(() => (p.read(".devrig/logs/stubborn.log").match(/started/g)?.length ?? 0) >= 2, "stubborn to print again")
  const [, total] = await timed(() => stop(p))
  expect(total).toBeLessThan(NOT_A_DEFAULT_GRACE_MS)
  await assertCleanedUp(p, [], sup)
})

test("stop of services that exit on SIGTERM does not wait for the grace period", async () => {
  const port = await freePort()
  const p = project("quick", `[services.web]\ncommand = "exec python3 -m http.server $PORT"\nport = ${port}\n\n[services.idle]\ncommand = "sleep 600"\n`)
  await startDetached(p)
  const sup = p.supervisorPid()
  const [, ms] = await timed(() => stop(p))
  expect(ms).toBeLessThan(NOT_A_DEFAULT_GRACE_MS) // default stop_timeout is 10 s
  await assertCleanedUp(p, [port], sup)
})

test("`stop api` stops only api (port released); `restart api` gives it a new PID; `start api` brings a stopped one back", async () => {
  const [apiPort, webPort] = [await freePort(), await freePort()]
  const p = project(
    "partial",
    `
[services.api]
command = "exec python3 -m http.server $PORT"
port = ${apiPort}

[services.web]
command = "exec python3 -m http.server $PORT"
port = ${webPort}
`,
  )
  await startDetached(p)
  const sup = p.supervisorPid()
  const api1 = (await p.component("api")).pid!
  const web1 = (await p.component("web")).pid!

  // restart: a new process, same port, reachable again
  const r = await p.run(["restart", "api"])
  expect(r.exitCode).toBe(0)
  expect(r.stdout).toContain("Restarted api")
  const api2 = await p.waitState("api", "running")
  expect(api2.pid).toBeNumber()
  expect(api2.pid).not.toBe(api1)
  expect(isAlive(api1)).toBe(false)
  expect(api2.restarts).toBe(0) // a requested restart is not a crash
  expect(await httpStatus(apiPort)).toBe(200)
  expect((await p.component("web")).pid).toBe(web1)

  // stop one
  const s = await stop(p, ["api"])
  expect(s.stdout).toContain("Stopped api")
  expect((await p.component("api")).state).toBe("stopped")
  assertNoProcesses(p.slug, "api")
  await assertPortFree(apiPort)
  const web = await p.component("web")
  expect(web.state).toBe("running")
  expect(web.pid).toBe(web1)
  expect(await httpStatus(webPort)).toBe(200)
  expect(markedPids(p.slug, "web")).toContain(web1)
  expect(isAlive(sup)).toBe(true)

  // `start api` while the project runs starts the stopped service through the supervisor
  const st = await p.run(["start", "api"])
  expect(st.exitCode, st.stderr).toBe(0)
  expect(st.stdout).toContain("✓ api running")
  expect(await httpStatus(apiPort)).toBe(200)
  // …and `restart` of a stopped service starts it too
  await stop(p, ["api"])
  await assertPortFree(apiPort)
  expect((await p.run(["restart", "api"])).exitCode).toBe(0)
  await p.waitState("api", "running")
  expect(await httpStatus(apiPort)).toBe(200)
  // the whole project is still refused while it runs
  const again = await p.run(["start", "-d"])
  expect(again.exitCode).toBe(1)
  expect(again.stderr).toContain("partial is already running")

  await stop(p)
  await assertCleanedUp(p, [apiPort, webPort], sup)
})

test("start -d of named services starts them and what they depend on, nothing else", async () => {
  const p = project(
    "subset",
    `
[services.a]
command = "sleep 600"
depends_on = ["b"]

[services.b]
command = "sleep 600"

[services.c]
command = "sleep 600"
`,
  )
  const r = await startDetached(p, ["a"])
  expect(r.stdout).toMatch(/a\s+● running/)
  expect(r.stdout).toMatch(/b\s+● running/)
  expect(markedPids(p.slug, "a").length).toBeGreaterThan(0)
  expect(markedPids(p.slug, "b").length).toBeGreaterThan(0)
  assertNoProcesses(p.slug, "c")
  const sup = p.supervisorPid()
  await stop(p)
  await assertCleanedUp(p, [], sup)
})
