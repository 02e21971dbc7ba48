// `devrig wait`: exit 0 once components are ready and telemetry matching each --for predicate
// exists (trace, log, metric), 2 on timeout naming what was still missing, and 2 at once when a
// component it waits for has failed.
import { expect, setDefaultTimeout, test } from "bun:test"
import { app, rig, started, stopLeftovers } from "./helpers.ts"
import { freePort, isPortFree, spawnDevrig } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000)
stopLeftovers()

test("wait returns 0 for a trace, a log and a metric predicate, each alone and together", async () => {
  const r = await started("waitok", `[services.api]\ncommand = ${app("span:GET /users", "log:job done", "metric:jobs.done")}\n`)
  const preds = ['trace service=api name="GET /users" status=ok', 'log service=api search="job done"', "metric name=jobs.done service=api"]
  for (const pred of preds) {
    // the app exported while starting: --since reaches back to it
    const w = await r.p.run(["wait", "--for", pred, "--since", "5m", "--timeout", "20s"])
    expect(w.exitCode, `${pred}: ${w.stderr}`).toBe(0)
    expect(w.stdout).toContain(`found ${pred}`)
  }
  const all = await r.p.run(["wait", "api", ...preds.flatMap((p) => ["--for", p]), "--since", "5m", "--timeout", "20s"])
  expect(all.exitCode, all.stderr).toBe(0)
  expect(all.stdout).toContain("api ready")
  await r.finish()
})

test("wait <component> blocks until it is ready (started while devrig is still coming up)", async () => {
  const port = await freePort()
  const r = await rig("waitcomp", `[services.web]\ncommand = "sleep 1; exec python3 -m http.server $PORT --bind 127.0.0.1"\nport = ${port}\n`)
  const start = spawnDevrig(r.p, ["start", "-d"])
  const w = await r.p.run(["wait", "web", "--timeout", "30s"])
  expect(w.exitCode, w.stderr).toBe(0)
  expect(w.stdout).toContain("web ready")
  // ready means ready: the port already accepts connections
  expect(await isPortFree(port)).toBe(false)
  expect(await start.exited).toBe(0)
  r.supervisorPid = r.p.supervisorPid()
  await r.finish([port])
})

test("wait times out with exit 2, naming what is missing (and not what was found)", async () => {
  const r = await started("waittimeout", `[services.api]\ncommand = ${app("span:GET /users")}\n`)
  expect((await r.p.run(["wait", "--for", "trace service=api", "--since", "5m", "--timeout", "20s"])).exitCode).toBe(0)
  const t0 = Date.now()
  const w = await r.p.run(["wait", "api", "--for", "trace service=api", "--for", 'trace service=api name="GET /nothing"', "--for", "metric name=never.sent", "--since", "5m", "--timeout", "1s"])
  expect(w.exitCode).toBe(2)
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1000)
  expect(w.stderr).toContain("timed out after 1s")
  expect(w.stderr).toContain('no trace matching service=api name="GET /nothing" yet')
  expect(w.stderr).toContain("no metric matching name=never.sent yet")
  expect(w.stderr).not.toContain("matching service=api yet")
  expect(w.stderr).not.toContain("api is")
  await r.finish()
})

test("wait exits 2 at once when a component it waits for fails, long before its timeout", async () => {
  const r = await started("waitfail", `[services.doomed]\ncommand = "sleep 1.5; echo 'cannot connect' >&2; exit 4"\nrestart = "never"\n`)
  const t0 = Date.now()
  // started while doomed still runs: the log never comes, the failure ends the wait
  const w = await r.p.run(["wait", "doomed", "--for", 'log search="never printed"', "--timeout", "60s"])
  expect(w.exitCode).toBe(2)
  expect(Date.now() - t0).toBeLessThan(15_000)
  expect(w.stderr).toContain("doomed failed: exited with code 4")
  // and when it has already failed
  const again = await r.p.run(["wait", "doomed", "--timeout", "60s"])
  expect(again.exitCode).toBe(2)
  expect(again.stderr).toContain("doomed failed")
  await r.finish()
})

test("wait without a running devrig times out saying so; a bad predicate is exit 1", async () => {
  const r = await rig("waitidle", `[services.api]\ncommand = "sleep 600"\n`)
  const w = await r.p.run(["wait", "api", "--timeout", "300ms"])
  expect(w.exitCode).toBe(2)
  expect(w.stderr).toContain("devrig is not running")
  const bad = await r.p.run(["wait", "--for", "span service=api"])
  expect(bad.exitCode).toBe(1)
  expect(bad.stderr).toContain("start with trace, log or metric")
  const key = await r.p.run(["wait", "--for", "log colour=red"])
  expect(key.exitCode).toBe(1)
  expect(key.stderr).toContain("unknown key `colour` for log")
  const metric = await r.p.run(["wait", "--for", "metric service=api"])
  expect(metric.exitCode).toBe(1)
  expect(metric.stderr).toContain("needs name=")
  await r.finish()
})

test("wait --for matches only what arrives after it is called: an old trace never ends it, a new one does", async () => {
  const r = await started("waitnew", `[services.api]\ncommand = ${app("span:GET /old")}\n`)
  // the old trace is there...
  expect((await r.p.run(["wait", "--for", 'trace service=api name="GET /old"', "--since", "5m", "--timeout", "20s"])).exitCode).toBe(0)
  // ...but a wait called now does not return on it
  const stale = await r.p.run(["wait", "--for", 'trace service=api name="GET /old"', "--timeout", "1500ms"])
  expect(stale.exitCode).toBe(2)
  expect(stale.stderr).toContain('no trace matching service=api name="GET /old" yet')
  // a record that arrives while it waits ends it: restart re-runs the app, which exports GET /old again
  const waiting = r.p.run(["wait", "--for", 'trace service=api name="GET /old"', "--timeout", "30s"])
  await Bun.sleep(300) // let the wait take its start time before the new record can arrive
  expect((await r.p.run(["restart", "api"])).exitCode).toBe(0)
  const w = await waiting
  expect(w.exitCode, w.stderr).toBe(0)
  await r.finish()
})
