// depends_on: a dependency with a ready_check gates its dependents (proved by timestamps the
// processes write themselves), one without only orders them, independent services don't wait,
// a failed dependency keeps its dependents from starting, and stop goes dependents-first.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { assertCleanedUp, freePort, killLeftovers, project, stamps, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

// Each service records when it started and (on SIGTERM) when it was told to stop.
/** The first timestamp a service wrote to `file`, waiting for it to appear. */
const stamp = (p: Project, file: string) => waitFor(() => stamps(p, file)[0], file, 5000)

const svc = (name: string, before = "", extra = "") => `
[services.${name}]
command = "trap 'date +%s.%N > ${name}.stop; exit 0' TERM; date +%s.%N > ${name}.start; ${before} while :; do sleep 0.1; done"
${extra}
`

test("a log ready_check on the dependency gates its dependents; stop goes dependents first", async () => {
  const p = project(
    "deps",
    svc("db", "sleep 1.5; date +%s.%N > db.ready; echo READY;", `ready_check = { type = "log", match = "READY" }`) +
      svc("api", "", `depends_on = ["db"]`) +
      svc("web", "", `depends_on = ["api"]`) +
      svc("free"),
  )
  const t0 = Date.now()
  await startDetached(p)
  // A service without port or check is "running" once spawned: its first line may come later.
  const [db, ready, api, web, free] = (await Promise.all(["db.start", "db.ready", "api.start", "web.start", "free.start"].map((f) => stamp(p, f)))) as [number, number, number, number, number]
  expect([db, ready, api, web, free].every((t) => t >= t0 - 1000)).toBe(true)
  expect(api).toBeGreaterThanOrEqual(ready)
  // web waits for api only to be spawned (no check), so it is gated by db's readiness too.
  expect(web).toBeGreaterThanOrEqual(ready)
  // Not serialised behind the gate: a service without dependencies starts at once.
  expect(free).toBeLessThan(ready)
  expect(ready - db).toBeGreaterThanOrEqual(1400)

  const sup = p.supervisorPid()
  await stop(p)
  // stop returns once the processes are gone, and they wrote on the way out
  const [webStop] = stamps(p, "web.stop")
  const [apiStop] = stamps(p, "api.stop")
  const [dbStop] = stamps(p, "db.stop")
  expect(webStop!).toBeLessThanOrEqual(apiStop!)
  expect(apiStop!).toBeLessThanOrEqual(dbStop!)
  await assertCleanedUp(p, [], sup)
})

test("an http ready_check gates: the dependent starts only after the dependency answers 2xx", async () => {
  const port = await freePort()
  const p = project(
    "depshttp",
    `
[services.backend]
command = "sleep 1; date +%s.%N > backend.listen; exec python3 -m http.server $PORT"
port = ${port}
ready_check = { type = "http" }

[services.front]
command = "date +%s.%N > front.start; curl -s -o /dev/null -w '%{http_code}' $DEVRIG_BACKEND_URL/ > front.saw; exec sleep 600"
depends_on = ["backend"]
`,
  )
  await startDetached(p)
  const listen = await stamp(p, "backend.listen")
  const front = await stamp(p, "front.start")
  expect(front).toBeGreaterThan(listen)
  // The dependent could reach its dependency on its very first try.
  expect(await waitFor(() => p.read("front.saw").trim(), "front.saw")).toBe("200")
  const sup = p.supervisorPid()
  await stop(p)
  await assertCleanedUp(p, [port], sup)
})

test("depends_on without a ready_check orders but does not wait for readiness", async () => {
  // `slow` never becomes ready by a check (it has none), so `fast` starts right after it was spawned.
  const p = project("depsorder", svc("slow", "sleep 2; date +%s.%N > slow.late;") + svc("fast", "", `depends_on = ["slow"]`))
  await startDetached(p)
  const slow = await stamp(p, "slow.start")
  const fast = await stamp(p, "fast.start")
  expect(fast - slow).toBeLessThan(1500)
  expect(existsSync(join(p.dir, "slow.late"))).toBe(false)
  const sup = p.supervisorPid()
  await stop(p)
  await assertCleanedUp(p, [], sup)
})

test("a dependency whose ready_check times out: dependents never start, start -d exits 2 naming it", async () => {
  const p = project(
    "depsfail",
    svc("db", "", `ready_check = { type = "log", match = "NEVER-PRINTED", timeout = "1s" }`) + svc("api", "", `depends_on = ["db"]`) + svc("other"),
  )
  const r = await p.run(["start", "-d"])
  expect(r.exitCode).toBe(2)
  expect(r.stderr).toContain("deps")
  expect(r.stderr).toMatch(/db: ready check \(log\) did not pass within 1s/)
  await stamp(p, "db.start")
  expect(existsSync(join(p.dir, "api.start"))).toBe(false)
  expect(p.read(".devrig/logs/api.log")).toContain("not started: dependency db failed")
  // A failed detached start cleans up after itself.
  await assertCleanedUp(p)
  expect((await p.ps()).running).toBe(false)
})
