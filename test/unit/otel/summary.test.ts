// Trace summaries: route, bottleneck by self time, first error with its message, the filtered
// service's own slowest span, --attr filters; histogram percentiles.
import { expect, test } from "bun:test"
import { TelemetryStore } from "../../../src/otel/store.ts"
import { parseAttr } from "../../../src/query/params.ts"
import { percentilesOf, bucketsOf, seriesPercentiles } from "../../../src/query/percentiles.ts"
import { listTraces, traceDetail } from "../../../src/query/traces.ts"
import { hex, span } from "./fixtures.ts"
import type { HistogramPoint } from "../../../src/server/api-types.ts"

function store() {
  const s = new TelemetryStore({ traceBuffer: 100, metricBuffer: 100, logBuffer: 100, retentionMs: 1e12 }, () => 10_000)
  s.addSpans([
    span(1, 1, { service: "api", startMs: 1_000, dur: 300, name: "GET", attributes: { "http.route": "/orders/:id", "url.path": "/orders/41" } }),
    span(1, 2, { service: "api", startMs: 1_010, dur: 250, parentSpanId: hex(1, 16), name: "GET pricing" }),
    span(1, 3, { service: "pricing", startMs: 1_020, dur: 230, parentSpanId: hex(2, 16), name: "GET", attributes: { "url.path": "/price" } }),
    span(1, 4, { service: "pricing", startMs: 1_030, dur: 200, parentSpanId: hex(3, 16), name: "slow-lookup" }),
    span(2, 5, { service: "api", startMs: 2_000, dur: 50, name: "GET", attributes: { "url.path": "/orders/42" } }),
    span(2, 6, { service: "inventory", startMs: 2_010, dur: 20, parentSpanId: hex(5, 16), name: "reserve", isError: true, statusCode: 2, events: [{ name: "exception", timestamp: "", timeUnixNano: "0", attributes: { "exception.message": "out of stock" } }] }),
  ])
  return s
}

test("a summary names the route, the span with the largest self time, and the first error", () => {
  const [b, a] = listTraces(store(), {})
  expect(a!.route).toBe("/orders/:id")
  expect(a!.bottleneck).toMatchObject({ service: "pricing", name: "slow-lookup", self_ms: 200 })
  expect(a!.error).toBeUndefined()
  expect(b!.route).toBe("/orders/42")
  expect(b!.error).toMatchObject({ service: "inventory", name: "reserve", message: "out of stock" })
})

test("with a service filter each row carries that service's own slowest span", () => {
  const rows = listTraces(store(), { service: "pricing" })
  expect(rows).toHaveLength(1)
  expect(rows[0]!.serviceSpan).toMatchObject({ service: "pricing", name: "GET", duration_ms: 230, self_ms: 30 })
})

test("--attr key=value and key~=text match a span attribute; --search reads url.path", () => {
  const s = store()
  expect(listTraces(s, { attrs: [parseAttr("url.path=/orders/41")] }).map((t) => t.traceId)).toEqual([hex(1, 32)])
  expect(listTraces(s, { attrs: [parseAttr("url.path~=ORDERS")] })).toHaveLength(2)
  expect(listTraces(s, { attrs: [parseAttr("url.path~=orders"), parseAttr("http.route=/orders/:id")] })).toHaveLength(1)
  expect(listTraces(s, { search: "/orders/42" }).map((t) => t.traceId)).toEqual([hex(2, 32)])
  expect(() => parseAttr("novalue")).toThrow()
})

test("trace detail: self time per span, resources listed once", () => {
  const d = traceDetail(store(), hex(1, 32))!
  expect(d.spans_detail.map((x) => x.self_ms)).toEqual([50, 20, 30, 200])
  expect(d.resources.map((r) => r.service)).toEqual(["api", "pricing"])
  expect(d.spans_detail.map((x) => x.resourceIndex)).toEqual([0, 0, 1, 1])
  expect(d.logs).toEqual([])
})

test("histogram percentiles: interpolated within the bucket; cumulative series use last minus first", () => {
  const p = (counts: number[]): HistogramPoint => ({ timestamp: "", timeUnixNano: "0", count: counts.reduce((a, b) => a + b), bounds: [10, 100, 1000], bucketCounts: counts, min: 1, max: 2000 })
  const pc = percentilesOf(bucketsOf(p([50, 40, 9, 1]))!)!
  expect(pc).toEqual({ count: 100, p50: 10, p90: 100, p99: 1000 })
  expect(percentilesOf(bucketsOf(p([0, 100, 0, 0]))!)!.p50).toBe(55)
  // the window's own observations: all of them landed in the 100–1000 bucket
  expect(seriesPercentiles([p([50, 0, 0, 0]), p([50, 0, 100, 0])], "cumulative")!).toMatchObject({ count: 100, p50: 550 })
  expect(seriesPercentiles([p([50, 0, 0, 0]), p([50, 0, 0, 0])], "delta")!).toMatchObject({ count: 100, p50: 5.5 })
})
