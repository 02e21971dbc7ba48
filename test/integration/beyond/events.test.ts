// Lifecycle events as telemetry: a crashing service's start/ready/crash/restart/failed events are
// log records of service `devrig` with their details, and `query related` of an error trace the
// service exported shows the crash that followed it.
import { expect, setDefaultTimeout, test } from "bun:test"
import type { LogRecord, RelatedTelemetry, TraceSummary } from "../../../src/server/api-types.ts"
import { app, eventOf, started, until, stopLeftovers } from "./helpers.ts"

setDefaultTimeout(60_000)
stopLeftovers()

test("a crashing service's events are queryable, with exit_code, attempt and delay_ms", async () => {
  const r = await started("evcrash", `[services.api]\ncommand = ${app("span:GET /boom:error", "exit:3")}\nmax_restarts = 1\n`)
  await r.p.waitState("api", "failed", 20_000)
  const events = await r.events("api")
  expect(events.map(eventOf)).toEqual(["start", "ready", "crash", "restart", "start", "ready", "crash", "failed"])
  for (const e of events) expect(e).toMatchObject({ service: "devrig", scope: { name: "devrig.lifecycle" }, attributes: { "devrig.component": "api" } })

  const [crash, restart] = [events[2]!, events[3]!]
  expect(crash).toMatchObject({ level: "error", body: "api exited with code 3", attributes: { exit_code: 3, signal: "" } })
  expect(crash.attributes.uptime_ms).toBeNumber()
  expect(restart).toMatchObject({ level: "warn", attributes: { attempt: 1, delay_ms: 1000 } })
  expect(events[4]!.attributes).toMatchObject({ attempt: 1 })
  expect(events[7]).toMatchObject({ level: "error", attributes: { reason: "exited with code 3; gave up after 1 restarts" } })
  // events are ordered in time, and the restart waited its delay
  const ms = events.map((e) => Date.parse(e.timestamp))
  expect([...ms].sort((a, b) => a - b)).toEqual(ms)
  expect(ms[4]! - ms[3]!).toBeGreaterThanOrEqual(900)

  // the same records through the level and search filters
  const errors = await r.query(["logs", "--service", "devrig", "--level", "error"])
  expect(errors.map(eventOf).sort()).toEqual(["crash", "crash", "failed"])
  await r.finish()
})

test("query related <error trace> includes the crash event of the service that sent it", async () => {
  const r = await started("evrelated", `[services.api]\ncommand = ${app("span:GET /boom:error", "exit:3")}\nmax_restarts = 0\n\n[services.bystander]\ncommand = ${app("say:idle")}\n`)
  await r.p.waitState("api", "failed", 20_000)
  const trace = await until<TraceSummary, TraceSummary>(r, ["traces", "--service", "api", "--status", "error"], (t) => t[0], "the error trace of api")
  expect(trace.operation).toBe("GET /boom")

  const [rel] = await r.query<RelatedTelemetry>(["related", trace.traceId])
  const nearby = rel!.nearbyLogs
  const crash = nearby.find((l) => l.service === "devrig" && eventOf(l) === "crash")
  expect(crash, JSON.stringify(nearby.map((l) => [l.service, l.body]))).toMatchObject({ attributes: { "devrig.component": "api", exit_code: 3 } })
  expect(Date.parse(crash!.timestamp)).toBeGreaterThanOrEqual(Date.parse(rel!.window.from))
  expect(Date.parse(crash!.timestamp)).toBeLessThanOrEqual(Date.parse(rel!.window.to))
  // only events about the trace's own services: the bystander started in the same seconds
  expect(nearby.filter((l) => l.service === "devrig").every((l) => l.attributes["devrig.component"] === "api")).toBe(true)
  // the stdout line that carried the trace id is an exact match
  expect(rel!.logs.map((l: LogRecord) => [l.service, l.body, l.attributes["log.source"]])).toEqual([["api", "handled GET /boom", "stdout"]])
  await r.finish()
})
