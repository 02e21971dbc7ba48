// The compact store gives back exactly what went in: spans and log records round-trip through
// the encoded form (every attribute type, events, links, odd ids, exact nanoseconds), the
// protobuf path stores the same as the plain path, and the limits cut and count.
import { describe, expect, test } from "bun:test"
import { create } from "@bufbuild/protobuf"
import { ExportTraceServiceRequestSchema } from "../../../src/otel/gen/trace_service_pb.ts"
import { ExportLogsServiceRequestSchema } from "../../../src/otel/gen/logs_service_pb.ts"
import { ingestLogs, ingestTraces } from "../../../src/otel/ingest.ts"
import { TelemetryStore } from "../../../src/otel/store.ts"
import { internBytes } from "../../../src/otel/compact.ts"
import { traceDetail } from "../../../src/query/traces.ts"
import { queryLogs } from "../../../src/query/logs.ts"
import { hex, log, span } from "./fixtures.ts"

const store = (attributes = {}) => new TelemetryStore({ traceBuffer: 100, metricBuffer: 100, logBuffer: 100, retentionMs: 3_600_000, attributes })
const str = (value: string) => ({ value: { case: "stringValue" as const, value } })

describe("compact spans", () => {
  test("every field round-trips through the encoded form", () => {
    const s = store()
    const attributes = {
      s: "GET",
      long: "x".repeat(300),
      unicode: "héllo → wörld ✓",
      int: 42,
      neg: -7,
      big: 2 ** 40,
      float: 1.5,
      t: true,
      f: false,
      nil: null,
      arr: ["a", 1, [true]],
      map: { k: "v", n: { deep: 3 } },
      "": "empty key",
    }
    const input = span(1, 0xabc, {
      parentSpanId: hex(7, 16),
      name: "POST /orders",
      kind: 3,
      statusCode: 2,
      statusMessage: "boom",
      isError: true,
      startNs: 1_700_000_000_123_456_789n,
      endNs: 1_700_000_000_223_456_789n,
      attributes,
      events: [{ name: "exception", timestamp: "2023-11-14T22:13:20.123Z", timeUnixNano: "1700000000123456789", attributes: { "exception.type": "E" } }],
      links: [{ traceId: hex(9, 32), spanId: hex(9, 16), traceState: "a=b", attributes: { why: "retry" } }],
    })
    s.addSpans([input, span(1, 0xabd, { spanId: "odd-id", parentSpanId: "also-odd" })])
    const [stored, odd] = s.traces.byId.get(hex(1, 32))!.spans
    for (const k of ["traceId", "spanId", "parentSpanId", "name", "kind", "statusCode", "statusMessage", "isError", "startNs", "endNs", "attributes", "events", "links", "resource", "scope"] as const) {
      expect(stored![k]).toEqual(input[k])
    }
    expect([odd!.spanId, odd!.parentSpanId]).toEqual(["odd-id", "also-odd"])
    // a span spread or serialised by a caller still shows every field
    expect((stored as { plain(): unknown }).plain()).toEqual(input)
    expect(JSON.parse(JSON.stringify(stored)).attributes).toEqual(attributes)
    // duplicates are found for both kinds of id
    s.addSpans([span(1, 0xabc), span(1, 0xabd, { spanId: "odd-id" })])
    expect(s.traces.byId.get(hex(1, 32))!.spans).toHaveLength(2)
  })

  test("a long value is interned once it repeats; one-off long values never enter the table", () => {
    const s = store()
    const statement = "SELECT id, name, email FROM users WHERE id = $1 -- " + "q".repeat(20)
    s.addSpans([span(6, 1, { attributes: { unique: "x", "db.statement": "y" } })])
    const before = internBytes
    s.addSpans(Array.from({ length: 200 }, (_, i) => span(7, i + 1, { attributes: { unique: `${"u".repeat(60)}-${i}-${Math.random()}` } })))
    expect(internBytes).toBe(before)
    s.addSpans(Array.from({ length: 200 }, (_, i) => span(8, i + 1, { attributes: { "db.statement": statement } })))
    // one copy in the table; every span refers to it, and reads it back whole
    expect(internBytes - before).toBeLessThan(300)
    // the statement spans hold a reference each, the one-off spans their whole value
    expect(s.traces.byId.get(hex(8, 32))!.bytes).toBeLessThan(s.traces.byId.get(hex(7, 32))!.bytes - 200 * 50)
    const spans = s.traces.byId.get(hex(8, 32))!.spans
    expect(spans.every((x) => x.attributes["db.statement"] === statement)).toBe(true)
    expect(s.traces.byId.get(hex(7, 32))!.spans[199]!.attributes.unique).toMatch(/^u{60}-199-/)
  })

  test("duplicates are found in long traces too (past the scanning length)", () => {
    const s = store()
    s.addSpans(Array.from({ length: 100 }, (_, i) => span(1, i + 1)))
    s.addSpans(Array.from({ length: 100 }, (_, i) => span(1, i + 1)))
    expect(s.counters().traces).toMatchObject({ stored: 100, evicted: 100 })
  })

  test("the protobuf path stores what the plain path stores, with limits applied and counted", () => {
    const s = store({ valueLength: 8, count: 2 })
    const traceId = new Uint8Array(16).fill(1)
    ingestTraces(
      s,
      create(ExportTraceServiceRequestSchema, {
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: str("api") }] },
            scopeSpans: [
              {
                scope: { name: "lib", version: "1.0" },
                spans: [
                  {
                    traceId,
                    spanId: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
                    parentSpanId: new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1]),
                    name: "GET /",
                    kind: 2,
                    startTimeUnixNano: 1_000_000_001n,
                    endTimeUnixNano: 2_000_000_002n,
                    attributes: [
                      { key: "http.response.status_code", value: { value: { case: "intValue", value: 503n } } },
                      { key: "payload", value: str("0123456789abc") },
                      { key: "dropped", value: str("z") },
                    ],
                    events: [{ name: "e", timeUnixNano: 1_500_000_000n, attributes: [{ key: "k", value: { value: { case: "boolValue", value: true } } }] }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    )
    const d = traceDetail(s, "01".repeat(16))!
    const sp = d.spans_detail[0]!
    expect(sp).toMatchObject({
      spanId: "0102030405060708",
      parentSpanId: "0807060504030201",
      service: "api",
      kind: "server",
      isError: true,
      startTimeUnixNano: "1000000001",
      endTimeUnixNano: "2000000002",
      attributes: { "http.response.status_code": 503, payload: "01234567…" },
      events: [{ name: "e", timeUnixNano: "1500000000", attributes: { k: true } }],
      scope: { name: "lib", version: "1.0" },
    })
    expect(s.counters()).toMatchObject({ truncatedValues: 1, droppedAttributes: 1 })
  })
})

describe("compact logs", () => {
  test("a record round-trips; the protobuf path sets event.name, trace and span ids, and cuts the body", () => {
    const s = store({ bodyLength: 5 })
    const input = log(1, { traceId: hex(5, 32), body: "hello", timeMs: 1_700_000_000_000, receivedAt: Date.now() })
    input.rec.attributes = { a: 1, b: ["x"] }
    input.rec.spanId = hex(6, 16)
    s.addLogs([input])
    expect(s.logs.ring.at(0).rec).toEqual(input.rec)

    ingestLogs(
      s,
      create(ExportLogsServiceRequestSchema, {
        resourceLogs: [
          {
            resource: { attributes: [{ key: "service.name", value: str("web") }] },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: 1_700_000_000_000_000_123n,
                    severityNumber: 17,
                    severityText: "ERROR",
                    eventName: "login",
                    body: str("a long body"),
                    traceId: new Uint8Array(16).fill(2),
                    spanId: new Uint8Array(8).fill(3),
                  },
                ],
              },
            ],
          },
        ],
      }),
    )
    const [rec] = queryLogs(s, { service: "web" })
    expect(rec).toMatchObject({
      service: "web",
      level: "error",
      severityText: "ERROR",
      timeUnixNano: "1700000000000000123",
      body: "a lon…",
      attributes: { "event.name": "login" },
      traceId: "02".repeat(16),
      spanId: "03".repeat(8),
    })
    expect(queryLogs(s, { search: "A LON" })).toHaveLength(1)
    // records devrig adds itself (a service's output line) are held to the body limit too
    s.addLogs([log(2, { service: "out", body: "0123456789", timeMs: Date.now(), receivedAt: Date.now() })])
    expect(queryLogs(s, { service: "out" })[0]!.body).toBe("01234…")
    expect(s.counters().truncatedValues).toBe(2)
    expect(queryLogs(s, { traceId: "02".repeat(16) })).toHaveLength(1)
  })
})
