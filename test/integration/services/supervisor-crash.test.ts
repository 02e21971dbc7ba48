// devrig itself dies (kill -9 of the supervisor). Its watchdog ends what it left behind within
// seconds; when the watchdog is gone too (both killed), the next `devrig stop` or `devrig start`
// does it. Either way every process goes — a setsid grandchild that left the process group and a
// service that ignores SIGTERM included — found by the DEVRIG_RUN marker.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { assertCleanedUp, BIN, freePort, httpStatus, isAlive, isPortFree, killLeftovers, markedPids, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

const body = (port: number) => `
[services.web]
command = "exec python3 -m http.server $PORT"
port = ${port}

[services.spawner]
command = "setsid sh -c 'echo $$ > grandchild.pid; exec sleep 600' & exec sleep 600"

[services.stubborn]
command = "trap '' TERM; while :; do sleep 0.2; done"
stop_timeout = "1s"
`

const pgid = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[2])

/** The `devrig __watchdog <config> …` process of this project. */
function watchdogOf(p: Project): number | undefined {
  const config = `${p.dir}/devrig.toml`
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .find((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
        return argv[0] === BIN && argv[1] === "__watchdog" && argv[2] === config
      } catch {
        return false
      }
    })
}

async function upAndKill(p: Project, port: number, opts: { watchdogToo: boolean }) {
  await startDetached(p)
  const grandchild = Number(await waitFor(() => p.read("grandchild.pid").trim(), "grandchild pid"))
  const ps = await p.ps()
  const leaders = ps.components.map((c) => c.pid!)
  const spawner = ps.components.find((c) => c.name === "spawner")!.pid!
  // The grandchild really left the service's process group (a group kill alone would miss it).
  expect(pgid(grandchild)).not.toBe(pgid(spawner))
  expect(markedPids(p.slug, "spawner")).toContain(grandchild)
  const sup = p.supervisorPid()!
  const watchdog = await waitFor(() => watchdogOf(p), "the watchdog")
  if (opts.watchdogToo) {
    process.kill(watchdog, "SIGKILL")
    await waitFor(() => !isAlive(watchdog), "the watchdog to die")
  }
  process.kill(sup, "SIGKILL")
  await waitFor(() => !isAlive(sup), "the supervisor to die")
  return { sup, grandchild, leaders, watchdog }
}

test("kill -9 of the supervisor: its watchdog ends every orphan within seconds; start works again", async () => {
  const port = await freePort()
  const p = project("watchdog", body(port))
  const { sup, grandchild, leaders, watchdog } = await upAndKill(p, port, { watchdogToo: false })

  // stubborn ignores SIGTERM: the cleanup escalates to SIGKILL (3 s grace) — bounded all the same.
  await waitFor(() => markedPids(p.slug).length === 0, "the watchdog to clean up", 8000)
  for (const pid of [...leaders, grandchild]) expect(isAlive(pid), `pid ${pid}`).toBe(false)
  await waitFor(() => !isAlive(watchdog), "the watchdog to exit")
  await waitFor(() => isPortFree(port), "the port to be released")
  await assertCleanedUp(p, [port], sup)
  expect((await p.ps()).running).toBe(false)
  expect((await p.run(["stop"])).stdout).toContain("watchdog is not running")

  await startDetached(p)
  expect(await httpStatus(port)).toBe(200)
  const sup2 = p.supervisorPid()
  await stop(p)
  await assertCleanedUp(p, [port], sup2)
})

test("kill -9 of supervisor and watchdog: orphans keep running until `devrig stop` ends them all; then start works", async () => {
  const port = await freePort()
  const p = project("sigkill", body(port))
  const { sup, grandchild, leaders } = await upAndKill(p, port, { watchdogToo: true })
  // Orphans: everything still runs without its supervisor, the port still held. (No request
  // to it now: with its output pipe gone, the server may die on its next log line.)
  for (const pid of [...leaders, grandchild]) expect(isAlive(pid), `pid ${pid}`).toBe(true)
  expect(await isPortFree(port)).toBe(false)

  // ps without a supervisor: not running, but the leftovers are shown as such.
  const ps = await p.ps()
  expect(ps.running).toBe(false)
  const spawner = ps.components.find((c) => c.name === "spawner")!
  expect(spawner.state).toBe("running")
  expect(spawner.error).toContain("left over")

  const s = await stop(p)
  expect(s.stdout).toMatch(/cleaning up \d+ process(es)? left by a previous run/)
  expect(s.stdout).toContain("Stopped sigkill")
  for (const pid of [...leaders, grandchild]) expect(isAlive(pid), `pid ${pid}`).toBe(false)
  await assertCleanedUp(p, [port], sup)
  expect((await p.run(["stop"])).stdout).toContain("sigkill is not running")

  // A fresh start works and is itself stoppable.
  await startDetached(p)
  expect(await httpStatus(port)).toBe(200)
  const sup2 = p.supervisorPid()
  await stop(p)
  await assertCleanedUp(p, [port], sup2)
})

test("kill -9 of supervisor and watchdog: `devrig start` cleans up the orphans first and starts fresh", async () => {
  const port = await freePort()
  const p = project("sigkill2", body(port))
  const { sup, grandchild, leaders } = await upAndKill(p, port, { watchdogToo: true })

  const r = await startDetached(p)
  expect(p.read(".devrig/supervisor.log")).toMatch(/cleaning up \d+ process(es)? left by a previous run/)
  expect(r.stdout).toMatch(/web\s+http:\/\/localhost:\d+\s+● running/)
  for (const pid of [...leaders, grandchild]) expect(isAlive(pid), `orphan ${pid}`).toBe(false)
  expect(await httpStatus(port)).toBe(200)
  const sup2 = p.supervisorPid()!
  expect(sup2).not.toBe(sup)

  await stop(p)
  await assertCleanedUp(p, [port], sup2)
})
