// The store's bounds: count caps (traces counted as traces), retention age, indexes kept in
// step with eviction, and trace grouping rules.
import { describe, expect, test } from "bun:test"
import { TelemetryStore } from "../../../src/otel/store.ts"
import { hex, log, point, span } from "./fixtures.ts"
import { listTraces } from "../../../src/query/traces.ts"
import { queryLogs } from "../../../src/query/logs.ts"
import { listMetrics, metricSeries } from "../../../src/query/metrics.ts"

function store(limits: Partial<{ traceBuffer: number; metricBuffer: number; logBuffer: number; retentionMs: number }> = {}, clock = { now: 0 }) {
  return new TelemetryStore({ traceBuffer: 100, metricBuffer: 100, logBuffer: 100, retentionMs: 60_000, ...limits }, () => clock.now)
}

describe("traces", () => {
  test("the cap counts traces, not spans, and evicts whole oldest traces", () => {
    const s = store({ traceBuffer: 3 })
    for (let t = 1; t <= 5; t++) s.addSpans([span(t, t * 10), span(t, t * 10 + 1, { parentSpanId: hex(t * 10, 16) }), span(t, t * 10 + 2)])
    expect(s.traces.byId.size).toBe(3)
    expect([...s.traces.byId.keys()]).toEqual([3, 4, 5].map((t) => hex(t, 32)))
    expect(s.counters().traces).toMatchObject({ received: 15, stored: 9, evicted: 6, traceCount: 3 })
    expect(s.traces.byService.get("api")?.size).toBe(3)
  })

  test("retention evicts by age even when the buffer is not full", () => {
    const clock = { now: 0 }
    const s = store({ retentionMs: 1_000 }, clock)
    s.addSpans([span(1, 1)])
    clock.now = 600
    s.addSpans([span(2, 2)])
    clock.now = 1_200
    expect(listTraces(s, {}).map((t) => t.traceId)).toEqual([hex(2, 32)])
    clock.now = 1_700
    expect(listTraces(s, {})).toEqual([])
    expect(s.counters().traces.evicted).toBe(2)
  })

  test("grouping: root, services, duration, error from status or HTTP 5xx, duplicates dropped", () => {
    const s = store()
    s.addSpans([
      span(1, 2, { parentSpanId: hex(1, 16), service: "db", startMs: 1_005, dur: 20 }),
      span(1, 1, { name: "GET /", startMs: 1_000, dur: 50 }),
      span(1, 1, { name: "GET /", startMs: 1_000, dur: 50 }),
      span(2, 3, { service: "web", isError: true, startMs: 2_000 }),
    ])
    const [t2, t1] = listTraces(s, {})
    expect(t1).toMatchObject({ operation: "GET /", service: "api", services: ["api", "db"], duration_ms: 50, spans: 2, status: "ok", hasRoot: true })
    expect(t2).toMatchObject({ status: "error", errorCount: 1 })
    expect(listTraces(s, { service: "db" }).map((t) => t.traceId)).toEqual([hex(1, 32)])
  })

  test("one huge trace cannot exceed the per-trace span cap", () => {
    const s = new TelemetryStore({ traceBuffer: 10, metricBuffer: 1, logBuffer: 1, retentionMs: 60_000, maxSpansPerTrace: 5 })
    s.addSpans(Array.from({ length: 20 }, (_, i) => span(1, i + 1)))
    expect(s.traces.byId.get(hex(1, 32))!.spans).toHaveLength(5)
    expect(s.counters().traces).toMatchObject({ received: 20, stored: 5, evicted: 15 })
  })
})

describe("logs", () => {
  test("count cap evicts oldest and keeps the service and trace indexes in step", () => {
    const s = store({ logBuffer: 3 })
    const tid = hex(9, 32)
    s.addLogs([log(1, { traceId: tid }), log(2, { service: "worker" }), log(3), log(4, { traceId: tid }), log(5, { service: "worker" })])
    expect(s.logs.ring.length).toBe(3)
    expect(s.logs.byTrace.get(tid)).toHaveLength(1)
    expect(s.logs.byService.get("worker")?.length).toBe(1)
    expect(queryLogs(s, { traceId: tid }).map((l) => l.body)).toEqual(["log 4"])
    expect(s.counters().logs).toEqual({ received: 5, stored: 3, evicted: 2 })
  })

  test("age eviction empties indexes too", () => {
    const clock = { now: 0 }
    const s = store({ retentionMs: 100 }, clock)
    s.addLogs([log(1, { traceId: hex(1, 32), receivedAt: 0 })])
    clock.now = 500
    s.prune()
    expect(s.logs.ring.length).toBe(0)
    expect(s.logs.byTrace.size).toBe(0)
    expect(s.logs.byService.size).toBe(0)
  })
})

describe("metrics", () => {
  test("series are name + service + attributes; the cap counts points across series", () => {
    const s = store({ metricBuffer: 4 })
    s.addPoints([
      point("cpu", 1, { attrs: { core: "0" } }),
      point("cpu", 2, { attrs: { core: "1" } }),
      point("cpu", 3, { attrs: { core: "0" } }),
      point("mem", 4, { service: "worker" }),
      point("cpu", 5, { attrs: { core: "1" } }),
    ])
    expect(s.counters().metrics).toMatchObject({ received: 5, stored: 4, evicted: 1, seriesCount: 3 })
    const cpu = metricSeries(s, { name: "cpu" })
    expect(cpu.map((x) => [x.attributes.core, x.points.map((p) => (p as { value: number }).value)])).toEqual([
      ["0", [3]],
      ["1", [2, 5]],
    ])
    expect(listMetrics(s).map((m) => [m.name, m.services, m.points])).toEqual([
      ["cpu", ["api"], 3],
      ["mem", ["worker"], 1],
    ])
  })

  test("retention drops old points, then empty series and names", () => {
    const clock = { now: 0 }
    const s = store({ retentionMs: 100 }, clock)
    s.addPoints([point("cpu", 1)])
    clock.now = 50
    s.addPoints([point("disk", 2, { receivedAt: 50 })])
    clock.now = 120
    expect(listMetrics(s).map((m) => m.name)).toEqual(["disk"])
    expect(s.counters().metrics).toMatchObject({ stored: 1, seriesCount: 1, evicted: 1 })
  })
})
