// on_dependency_restart with real restarts of a dependency (manual and after a crash):
//   restart — the dependent is restarted once the dependency is ready again (new pid)
//   regate  — the dependent is stopped while the dependency restarts and started after it
//   ignore  — the dependent keeps running (same pid)
// The order is proven with devrig's own lifecycle events, which carry their times.
import { expect, setDefaultTimeout, test } from "bun:test"
import type { LogRecord } from "../../../src/server/api-types.ts"
import { eventOf, started, type Rig, stopLeftovers } from "./helpers.ts"
import { freePort, waitFor } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000)
stopLeftovers()

const dependents = `
[services.restarter]
command = "exec sleep 600"
depends_on = ["db"]
on_dependency_restart = "restart"

[services.regater]
command = "exec sleep 600"
depends_on = ["db"]
on_dependency_restart = "regate"

[services.ignorer]
command = "exec sleep 600"
depends_on = ["db"]
`

const pids = async (r: Rig) => Object.fromEntries((await r.p.ps()).components.map((c) => [c.name, c.pid]))
const at = (e: LogRecord) => Date.parse(e.timestamp)
/** events of `name` after time t, as [event, ms] */
const after = async (r: Rig, name: string, t: number) => (await r.events(name)).filter((e) => at(e) >= t)
const first = (events: LogRecord[], kind: string) => {
  const e = events.find((x) => eventOf(x) === kind)
  expect(e, `a ${kind} event in ${JSON.stringify(events.map(eventOf))}`).toBeDefined()
  return at(e!)
}

async function settled(r: Rig, before: Record<string, number | undefined>) {
  // done when both propagating dependents run again under a new pid
  return waitFor(
    async () => {
      const now = (await r.p.ps()).components
      const ok = ["restarter", "regater"].every((n) => {
        const c = now.find((x) => x.name === n)
        return c?.state === "running" && c.pid !== before[n]
      })
      return ok ? Object.fromEntries(now.map((c) => [c.name, c.pid])) : undefined
    },
    "restarter and regater to run again with new pids",
    20_000,
    100,
  )
}

test("devrig restart db: restart restarts after db is ready, regate stops during and starts after, ignore keeps its pid", async () => {
  const port = await freePort()
  // db takes a second to listen, so "while it restarts" is a real interval
  const r = await started("deprestart", `[services.db]\ncommand = "sleep 1; exec python3 -m http.server $PORT --bind 127.0.0.1"\nport = ${port}\n${dependents}`)
  const before = await pids(r)
  const t0 = Date.now()
  const res = await r.p.run(["restart", "db"])
  expect(res.exitCode, res.stderr).toBe(0)
  const now = await settled(r, before)
  expect(now.ignorer).toBe(before.ignorer!)
  expect(now.db).not.toBe(before.db!)

  const db = await after(r, "db", t0)
  const dbStart = first(db, "start")
  const dbReady = first(db.filter((e) => at(e) >= dbStart), "ready")

  const restarter = await after(r, "restarter", t0)
  expect(first(restarter, "start")).toBeGreaterThanOrEqual(dbReady)

  const regater = await after(r, "regater", t0)
  const stopped = first(regater, "stop")
  expect(stopped).toBeLessThan(dbReady)
  expect(first(regater, "start")).toBeGreaterThanOrEqual(dbReady)

  expect((await after(r, "ignorer", t0)).map(eventOf)).toEqual([])
  // the dependents' logs say why
  expect(r.p.read(".devrig/logs/regater.log")).toContain("paused: waiting for db to be ready again")
  expect(r.p.read(".devrig/logs/regater.log")).toContain("resuming: db restarted")
  expect(r.p.read(".devrig/logs/restarter.log")).toContain("restarting: db restarted")
  expect(r.p.read(".devrig/logs/ignorer.log")).not.toContain("db restarted")
  await r.finish([port])
})

test("a crash of db propagates the same way once db is back", async () => {
  const r = await started(
    "depcrash",
    `[services.db]\ncommand = "while [ ! -f crash-now ]; do sleep 0.05; done; rm crash-now; echo 'db: fatal' >&2; exit 1"\n${dependents}`,
  )
  await r.p.waitState("restarter", "running")
  const before = await pids(r)
  const t0 = Date.now()
  r.p.write("crash-now", "")
  const now = await settled(r, before)
  expect(now.ignorer).toBe(before.ignorer!)

  const db = await after(r, "db", t0)
  expect(db.map(eventOf).slice(0, 4)).toEqual(["crash", "restart", "start", "ready"])
  const dbReady = first(db, "ready")
  expect(first(await after(r, "restarter", t0), "start")).toBeGreaterThanOrEqual(dbReady)
  const regater = await after(r, "regater", t0)
  expect(first(regater, "stop")).toBeLessThan(dbReady)
  expect(first(regater, "start")).toBeGreaterThanOrEqual(dbReady)
  expect(await after(r, "ignorer", t0)).toEqual([])
  await r.finish()
})
