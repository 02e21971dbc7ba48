// Query semantics over a hand-built store: time windows, around, related, and parsing of
// durations and timestamps (bad input is an InputError).
import { describe, expect, test } from "bun:test"
import { TelemetryStore } from "../../../src/otel/store.ts"
import { InputError } from "../../../src/errors.ts"
import { parseDuration, parseTimestamp, parseLevel } from "../../../src/query/parse.ts"
import { logQuery, traceQuery } from "../../../src/query/params.ts"
import { listTraces, traceDetail } from "../../../src/query/traces.ts"
import { queryLogs } from "../../../src/query/logs.ts"
import { related } from "../../../src/query/related.ts"
import { hex, log, point, span } from "./fixtures.ts"
const T = Date.UTC(2026, 1, 21, 10, 30, 0)

function fixture() {
  const s = new TelemetryStore({ traceBuffer: 100, metricBuffer: 100, logBuffer: 100, retentionMs: 1e12 }, () => T + 60_000)
  s.addSpans([
    span(1, 1, { service: "api", startMs: T, dur: 100, name: "POST /users" }),
    span(1, 2, { service: "db", startMs: T + 10, dur: 50, parentSpanId: hex(1, 16), name: "INSERT" }),
    span(1, 3, { service: "db", startMs: T + 20, dur: 5, parentSpanId: hex(2, 16), name: "fsync" }),
    span(2, 4, { service: "api", startMs: T + 30_000, dur: 5 }),
  ])
  s.addLogs([
    log(1, { receivedAt: T, timeMs: T + 15, traceId: hex(1, 32), service: "db", level: "error", body: "deadlock" }),
    log(2, { receivedAt: T, timeMs: T + 3_000, service: "api", body: "nearby" }),
    log(5, { receivedAt: T, timeMs: T + 2_000, service: "api", level: "error", body: "nearby error" }),
    log(3, { receivedAt: T, timeMs: T + 20_000, service: "api", body: "far" }),
    log(4, { receivedAt: T, timeMs: T + 1_000, service: "worker", body: "other service" }),
  ])
  s.addPoints([point("rps", 5, { service: "api", timeMs: T + 2_000, receivedAt: T }), point("rps", 6, { service: "api", timeMs: T + 30_000, receivedAt: T })])
  return s
}

describe("parsing", () => {
  test("durations", () => {
    expect(parseDuration("100ms")).toBe(100)
    expect(parseDuration("5m")).toBe(300_000)
    expect(parseDuration("1h30m")).toBe(5_400_000)
    expect(parseDuration("1.5s")).toBe(1_500)
    for (const bad of ["", "5", "abc", "5 minutes", "-1s"]) expect(() => parseDuration(bad)).toThrow(InputError)
  })
  test("timestamps", () => {
    expect(parseTimestamp("2026-02-21T10:30:00Z")).toBe(T)
    expect(parseTimestamp("2026-02-21T11:30:00+01:00")).toBe(T)
    expect(parseTimestamp("2026-02-21T10:30:00")).toBe(T)
    expect(parseTimestamp(String(T))).toBe(T)
    for (const bad of ["yesterday", "2026-13-45T99:00:00Z", "10:30"]) expect(() => parseTimestamp(bad)).toThrow(InputError)
  })
  test("levels and params", () => {
    expect(parseLevel("WARNING")).toBe("warn")
    expect(() => parseLevel("loud")).toThrow(InputError)
    expect(() => traceQuery(new URLSearchParams("status=maybe"))).toThrow(InputError)
    expect(() => traceQuery(new URLSearchParams("from=2026-02-21T11:00:00Z&to=2026-02-21T10:00:00Z"))).toThrow(InputError)
    expect(logQuery(new URLSearchParams(`around=${hex(1, 32)}`)).aroundTrace).toBe(hex(1, 32))
    expect(logQuery(new URLSearchParams("around=2026-02-21T10:30:00Z")).around).toBe(T)
    expect(logQuery(new URLSearchParams("level=warn,error&level=fatal")).levels).toEqual(["warn", "error", "fatal"])
  })
})

describe("queries", () => {
  test("trace detail builds the span tree in depth-first order", () => {
    const d = traceDetail(fixture(), hex(1, 32))!
    expect(d.spans_detail.map((x) => [x.name, x.depth])).toEqual([["POST /users", 0], ["INSERT", 1], ["fsync", 2]])
    expect(d.roots).toEqual([hex(1, 16)])
    expect(d.services).toEqual(["api", "db"])
  })

  test("traces around a timestamp with a window", () => {
    const s = fixture()
    expect(listTraces(s, { around: T + 29_000, windowMs: 2_000 }).map((t) => t.traceId)).toEqual([hex(2, 32)])
    expect(listTraces(s, { around: T + 29_000, windowMs: 500 })).toEqual([])
    expect(listTraces(s, { service: "api", from: T, to: T + 1_000 }).map((t) => t.traceId)).toEqual([hex(1, 32)])
  })

  test("logs around a trace: its own logs plus its services' logs within ±5s", () => {
    const bodies = queryLogs(fixture(), { aroundTrace: hex(1, 32) }).map((l) => l.body)
    expect(bodies).toEqual(["nearby", "nearby error", "deadlock"])
  })

  test("related: exact trace logs, nearby logs and metric points in the window", () => {
    const r = related(fixture(), hex(1, 32))!
    expect(r.logs.map((l) => l.body)).toEqual(["deadlock"])
    // info neighbours are noise unless asked for; each neighbour says it is one
    expect(r.nearbyLogs.map((l) => [l.body, l.nearby])).toEqual([["nearby error", true]])
    expect(related(fixture(), hex(1, 32), { all: true })!.nearbyLogs.map((l) => l.body)).toEqual(["nearby", "nearby error"])
    expect(r.metrics.map((m) => [m.name, m.service, m.points.length])).toEqual([["rps", "api", 1]])
    expect(r.window).toEqual({ from: new Date(T - 5_000).toISOString(), to: new Date(T + 5_100).toISOString() })
    expect(related(fixture(), hex(77, 32))).toBeUndefined()
  })
})
