import { describe, expect, test } from "bun:test"
import type { LogRecord, StatusResponse, TraceSummary } from "../../../src/server/api-types.ts"
import { displayState, initialState, logsSince, prependLogs, reduce, upsertTraces } from "../../../ui/src/lib/reducer.ts"

const trace = (id: string, ts: string, spans = 1): TraceSummary => ({
  traceId: id,
  service: "api",
  operation: "GET /",
  route: "/",
  duration_ms: 10,
  status: "ok",
  spans,
  timestamp: ts,
  services: ["api"],
  errorCount: 0,
  hasRoot: true,
})
const log = (ts: string, body = "x"): LogRecord => ({
  timestamp: ts,
  observedTimestamp: ts,
  timeUnixNano: String(Date.parse(ts) * 1e6),
  service: "api",
  severityText: "INFO",
  severityNumber: 9,
  level: "info",
  body,
  attributes: {},
  resource: {},
  scope: { name: "" },
})
const status = (): StatusResponse => ({
  project: { name: "p", id: "1", slug: "p-1", configPath: "/x" },
  supervisorPid: 1,
  components: [{ name: "api", kind: "service", state: "running", restarts: 0 }],
  collector: {
    traces: { received: 0, stored: 0, evicted: 0, traceCount: 0 },
    metrics: { received: 0, stored: 0, evicted: 0, seriesCount: 0 },
    logs: { received: 0, stored: 0, evicted: 0 },
    rejectedRequests: 0,
    limits: { traceBuffer: 1, metricBuffer: 1, logBuffer: 1, retentionMs: 1 },
  },
})

describe("ui reducer", () => {
  test("hello replaces status, marks the socket open and bumps the epoch", () => {
    const s = reduce(initialState(), { type: "hello", status: status() })
    expect(s.connection).toBe("open")
    expect(s.epoch).toBe(1)
    expect(s.status?.project.name).toBe("p")
    expect(reduce(s, { type: "ws.close" }).connection).toBe("closed")
  })

  test("status events upsert components and clear the optimistic action", () => {
    let s = reduce(initialState(), { type: "hello", status: status() })
    s = reduce(s, { type: "action", name: "api", action: "stop" })
    expect(displayState(s, s.status!.components[0]!)).toBe("stopping")
    s = reduce(s, { type: "status", component: { name: "api", kind: "service", state: "stopped", restarts: 0 } })
    expect(s.pending).toEqual({})
    expect(displayState(s, s.status!.components[0]!)).toBe("stopped")
    s = reduce(s, { type: "status", component: { name: "web", kind: "service", state: "running", restarts: 0 } })
    expect(s.status!.components.map((c) => c.name)).toEqual(["api", "web"])
  })

  test("a failed action drops the optimistic state", () => {
    let s = reduce(initialState(), { type: "hello", status: status() })
    s = reduce(s, { type: "action", name: "api", action: "restart" })
    s = reduce(s, { type: "action.failed", name: "api" })
    expect(displayState(s, s.status!.components[0]!)).toBe("running")
  })

  test("status before hello is ignored", () => {
    const s0 = initialState()
    expect(reduce(s0, { type: "status", component: { name: "a", kind: "service", state: "running", restarts: 0 } })).toBe(s0)
  })

  test("traces are newest first, one per id, later summaries win", () => {
    let l = upsertTraces([], [trace("a", "2026-01-01T00:00:01Z"), trace("b", "2026-01-01T00:00:03Z")])
    l = upsertTraces(l, [trace("a", "2026-01-01T00:00:01Z", 5), trace("c", "2026-01-01T00:00:02Z")])
    expect(l.map((t) => t.traceId)).toEqual(["b", "c", "a"])
    expect(l[2]!.spans).toBe(5)
    expect(upsertTraces(l, [trace("d", "2026-01-01T00:00:09Z")], 2).map((t) => t.traceId)).toEqual(["d", "b"])
  })

  test("logs are prepended newest first and capped", () => {
    let l = prependLogs([], [log("2026-01-01T00:00:01Z", "a"), log("2026-01-01T00:00:02Z", "b")], 3)
    l = prependLogs(l, [log("2026-01-01T00:00:03Z", "c"), log("2026-01-01T00:00:04Z", "d")], 3)
    expect(l.map((x) => x.body)).toEqual(["d", "c", "b"])
  })

  test("logsSince returns exactly the records pushed after a sequence number", () => {
    let s = reduce(initialState(), { type: "logs", logs: [log("2026-01-01T00:00:01Z", "a")] })
    const seen = s.logSeq
    s = reduce(s, { type: "logs", logs: [log("2026-01-01T00:00:02Z", "b"), log("2026-01-01T00:00:03Z", "c")] })
    expect(logsSince(s, seen).map((x) => x.body)).toEqual(["c", "b"])
    expect(logsSince(s, s.logSeq)).toEqual([])
  })

  test("metrics are merged by name and sorted", () => {
    const m = (name: string, points: number) => ({ name, type: "gauge" as const, unit: "", description: "", services: ["api"], series: 1, points, lastTimestamp: "" })
    let s = reduce(initialState(), { type: "metrics", metrics: [m("b", 1), m("a", 1)] })
    s = reduce(s, { type: "metrics", metrics: [m("b", 7)] })
    expect(s.metrics.map((x) => [x.name, x.points])).toEqual([["a", 1], ["b", 7]])
  })

  test("100k logs: a batch is applied in well under a frame", () => {
    let s = initialState()
    const batch = Array.from({ length: 1000 }, (_, i) => log(new Date(1_700_000_000_000 + i).toISOString()))
    for (let i = 0; i < 100; i++) s = reduce(s, { type: "logs", logs: batch })
    // the median of 9 batches on a full buffer: one GC pause of a busy test machine is not the reducer
    const times: number[] = []
    for (let i = 0; i < 9; i++) {
      const t = performance.now()
      s = reduce(s, { type: "logs", logs: batch })
      times.push(performance.now() - t)
    }
    expect(times.sort((a, b) => a - b)[4]!).toBeLessThan(16)
    expect(s.logs.length).toBe(100_000)
  })
})

test("the boot snapshot fills an empty status but never overrides the socket's", () => {
  const s = reduce(initialState(), { type: "snapshot", status: status() })
  expect(s.status?.project.name).toBe("p")
  expect(s.epoch).toBe(0)
  const newer = { ...status(), project: { ...status().project, name: "newer" } }
  const h = reduce(reduce(initialState(), { type: "hello", status: newer }), { type: "snapshot", status: status() })
  expect(h.status?.project.name).toBe("newer")
})
