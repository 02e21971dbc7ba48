// Spans and log records read from wire bytes (wire-spans.ts, wire-logs.ts) are stored exactly as
// the protobuf-es path stores them: every field, every value type, the limits and their
// counters, odd ids, duplicates, a log record's event_name and missing times.
// Malformed bytes are rejected as a whole (nothing stored), never with anything but OtlpError.
import { describe, expect, test } from "bun:test"
import { create, fromBinary, toBinary } from "@bufbuild/protobuf"
import { ExportTraceServiceRequestSchema } from "../../../src/otel/gen/trace_service_pb.ts"
import { ExportLogsServiceRequestSchema } from "../../../src/otel/gen/logs_service_pb.ts"
import { ingestLogs, ingestTraces } from "../../../src/otel/ingest.ts"
import { ingestLogBytes, ingestResourceLogs } from "../../../src/otel/wire-logs.ts"
import { ingestResourceSpans, ingestTraceBytes } from "../../../src/otel/wire-spans.ts"
import { OtlpError } from "../../../src/otel/decode.ts"
import { TelemetryStore } from "../../../src/otel/store.ts"
import { int64, nanosToMsOf } from "../../../src/otel/wire.ts"
import { nanosToMs } from "../../../src/otel/attrs.ts"

const store = (attributes = {}) => new TelemetryStore({ traceBuffer: 1000, metricBuffer: 100, logBuffer: 100, retentionMs: 3_600_000, attributes })
type V = { value: { case: string; value: unknown } | { case: undefined } }
const str = (value: string): V => ({ value: { case: "stringValue", value } })
const int = (value: bigint): V => ({ value: { case: "intValue", value } })
const dbl = (value: number): V => ({ value: { case: "doubleValue", value } })
const bool = (value: boolean): V => ({ value: { case: "boolValue", value } })
const bytes = (value: Uint8Array): V => ({ value: { case: "bytesValue", value } })
const arr = (...values: V[]): V => ({ value: { case: "arrayValue", value: { values } } })
const kvl = (o: Record<string, V>): V => ({ value: { case: "kvlistValue", value: { values: kv(o) } } })
const kv = (o: Record<string, V>) => Object.entries(o).map(([key, value]) => ({ key, value }))
const id = (n: number, len: number) => {
  const b = new Uint8Array(len)
  if (len >= 4) new DataView(b.buffer).setUint32(len - 4, n)
  else if (len > 0) b[0] = n
  return b
}

function request(): Uint8Array {
  const start = 1_700_000_000_123_456_789n
  const spans = [
    {
      traceId: id(1, 16),
      spanId: id(1, 8),
      name: "GET /users/:id",
      kind: 2,
      startTimeUnixNano: start,
      endTimeUnixNano: start + 12_345_678n,
      attributes: kv({
        "http.route": str("/users/:id"),
        "http.response.status_code": int(503n),
        s: str("héllo → wörld ✓"),
        long: str("x".repeat(300)),
        neg: int(-7n),
        big: int(9_007_199_254_740_993n),
        minus: int(-9_007_199_254_740_993n),
        float: dbl(1.25),
        t: bool(true),
        f: bool(false),
        nil: { value: { case: undefined } },
        raw: bytes(new Uint8Array([0, 1, 2, 250])),
        list: arr(str("a"), int(1n), arr(bool(true))),
        map: kvl({ k: str("v"), n: kvl({ deep: int(3n) }) }),
        "": str("empty key"),
      }),
      events: [{ timeUnixNano: start + 5n, name: "exception", attributes: kv({ "exception.type": str("E"), "exception.message": str("boom") }) }],
      links: [{ traceId: id(9, 16), spanId: id(9, 8), traceState: "a=b", attributes: kv({ why: str("retry") }) }],
      status: { code: 0, message: "" },
    },
    { traceId: id(1, 16), spanId: id(2, 8), parentSpanId: id(1, 8), name: "db", startTimeUnixNano: start, endTimeUnixNano: start - 5n, status: { code: 2, message: "failed hard" }, attributes: kv({ "http.status_code": str("404") }) },
    { traceId: id(1, 16), spanId: id(3, 5), parentSpanId: id(7, 3), name: "odd ids", startTimeUnixNano: start, endTimeUnixNano: start + 1n },
    { traceId: id(2, 16), spanId: id(1, 8), name: "n".repeat(200), startTimeUnixNano: start, endTimeUnixNano: start + 2n, attributes: kv(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, dbl(i + 0.5)]))) },
    // unusable: no trace id, zero span id
    { traceId: new Uint8Array(16), spanId: id(1, 8), name: "no trace" },
    { traceId: id(3, 16), spanId: new Uint8Array(8), name: "no span id" },
    // a duplicate (an exporter's retry), and a long key
    { traceId: id(1, 16), spanId: id(1, 8), name: "dup" },
    { traceId: id(4, 16), spanId: id(4, 8), name: "key", attributes: kv({ ["k".repeat(2000)]: str("v"), "http.response.status_code": dbl(500) }) },
  ]
  const msg = create(ExportTraceServiceRequestSchema, {
    resourceSpans: [
      { resource: { attributes: kv({ "service.name": str("api"), "host.name": str("box") }) }, scopeSpans: [{ scope: { name: "lib", version: "1.0" }, spans: spans as never }] },
      { resource: { attributes: kv({ "service.name": str("web") }) }, scopeSpans: [{ spans: [{ traceId: id(5, 16), spanId: id(5, 8), name: "other", kind: 1 }] }, { scope: { name: "b" }, spans: [{ traceId: id(5, 16), spanId: id(6, 8), parentSpanId: id(5, 8), name: "other" }] }] },
    ] as never,
  })
  return toBinary(ExportTraceServiceRequestSchema, msg)
}

/** Everything a store holds, in order, as JSON. */
interface Dumped {
  traceId: string
  bytes: number
  spans: unknown[]
  [k: string]: unknown
}

function dump(s: TelemetryStore) {
  const out: Dumped[] = []
  for (const [traceId, t] of s.traces.byId) out.push({ traceId, bytes: t.bytes, services: [...t.services], errors: t.errorCount, start: t.startMs, end: t.endMs, root: t.root?.spanId, spans: t.spans.map((x) => JSON.parse(JSON.stringify(x))) })
  return { traces: out, limited: { ...s.limited }, received: s.traces.received, count: s.traces.spanCount }
}

describe("spans from wire bytes", () => {
  const limits = [{}, { valueLength: 16, count: 5 }]
  for (const lim of limits) {
    test(`store the same as the protobuf-es path (limits ${JSON.stringify(lim)})`, () => {
      const body = request()
      const a = store(lim)
      const b = store(lim)
      const na = ingestTraces(a, fromBinary(ExportTraceServiceRequestSchema, body))
      const nb = ingestTraceBytes(b, body)
      expect(nb).toBe(na)
      const da = dump(a)
      const db = dump(b)
      expect(db.traces.map((t) => ({ ...t, bytes: 0 }))).toEqual(da.traces.map((t) => ({ ...t, bytes: 0 })))
      expect(db.limited).toEqual(da.limited)
      if ("count" in lim) expect(da.limited.truncatedValues * da.limited.droppedAttributes).toBeGreaterThan(0)
      expect(db.count).toBe(da.count)
      expect(db.received).toBe(da.received)
      // sending it again stores nothing new: every span is a duplicate
      ingestTraceBytes(b, body)
      expect(dump(b).count).toBe(db.count)
    })
  }

  test("gRPC's ResourceSpans slices give the same as the whole request", () => {
    const body = request()
    const a = store()
    const b = store()
    ingestTraceBytes(a, body)
    const msg = fromBinary(ExportTraceServiceRequestSchema, body)
    const items = msg.resourceSpans.map((rs) => toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [rs] })).subarray(0))
    // each item is one ResourceSpans' payload: drop the field-1 tag and length of its wrapper
    ingestResourceSpans(b, items.map(unwrap))
    expect(dump(b).traces).toEqual(dump(a).traces)
    // as ConnectRPC hands them over: views into the one request buffer
    const c = store()
    ingestResourceSpans(c, entries(body))
    expect(dump(c).traces).toEqual(dump(a).traces)
  })

  test("malformed bytes store nothing and throw only OtlpError", () => {
    const body = request()
    let rejected = 0
    let accepted = 0
    let seed = 7
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed)
    for (let i = 0; i < 3000; i++) {
      const m = new Uint8Array(body)
      const kind = i % 3
      if (kind === 0) m[rand() % m.length] = rand() & 0xff
      const cut = kind === 1 ? m.subarray(0, rand() % m.length) : m
      if (kind === 2) for (let k = 0; k < 4; k++) m[rand() % m.length]! ^= 1 << (rand() % 8)
      const s = store()
      try {
        ingestTraceBytes(s, cut)
        accepted++
        // what is accepted is what protobuf-es reads (when it reads it at all)
        let ref: TelemetryStore | undefined
        try {
          ref = store()
          ingestTraces(ref, fromBinary(ExportTraceServiceRequestSchema, cut))
        } catch {
          ref = undefined
        }
        if (ref) expect(dump(s).traces.map((t) => t.spans)).toEqual(dump(ref).traces.map((t) => t.spans))
      } catch (e) {
        if (!(e instanceof OtlpError)) throw e
        rejected++
        expect(s.traces.spanCount).toBe(0)
        expect(s.limited).toEqual({ truncatedValues: 0, droppedAttributes: 0 })
      }
    }
    expect(rejected).toBeGreaterThan(100)
    expect(accepted).toBeGreaterThan(100)
  })

  test("64-bit numbers: ints exact to 2^53, nanoseconds to ms as the bigint path does", () => {
    expect(int64(0xffffffff, 0xffffffff)).toBe(-1)
    expect(int64(0xffffffff, 0x1fffff)).toBe(2 ** 53 - 1)
    expect(int64(0, 0x200000)).toBeUndefined()
    expect(int64(1, 0xffe00000)).toBe(-(2 ** 53 - 1))
    for (const ns of [0n, 999n, 1_700_000_000_123_456_789n, 1_700_000_000_999_999_999n, 2n ** 63n + 12345n, 2n ** 64n - 1n]) {
      expect(nanosToMsOf(Number(ns & 0xffffffffn), Number(ns >> 32n))).toBe(nanosToMs(ns))
    }
  })
})

/** The payloads of a message's top-level field-1 entries, as views into its buffer. */
function entries(msg: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let p = 0; p < msg.length; ) {
    p++ // tag 0x0a
    let len = 0
    for (let shift = 0; ; shift += 7) {
      const b = msg[p++]!
      len |= (b & 0x7f) << shift
      if (b < 0x80) break
    }
    out.push(msg.subarray(p, p + len))
    p += len
  }
  return out
}

function unwrap(framed: Uint8Array): Uint8Array {
  // tag 0x0a, then a varint length
  let p = 1
  while (framed[p]! & 0x80) p++
  return framed.subarray(p + 1)
}

const NOW = 1_700_000_100_000
const logStore = (attributes = {}) => new TelemetryStore({ traceBuffer: 100, metricBuffer: 100, logBuffer: 1000, retentionMs: 3_600_000_000_000, attributes }, () => NOW)

function logRequest(): Uint8Array {
  const t = 1_700_000_000_123_456_789n
  const records = [
    { timeUnixNano: t, observedTimeUnixNano: t + 5n, severityNumber: 9, severityText: "INFO", body: str("handled GET /users/7 in 12 ms"), attributes: kv({ "http.route": str("/users/:id"), "user.id": int(7n) }), traceId: id(1, 16), spanId: id(2, 8) },
    // no time: the observed time stands in; no observed time either: the store's clock
    { observedTimeUnixNano: t + 9n, severityText: "WARN", body: str("slow"), traceId: new Uint8Array(16), spanId: new Uint8Array(8) },
    { severityNumber: 17, body: kvl({ msg: str("boom"), n: arr(int(1n), dbl(2.5)) }), eventName: "payment.failed", spanId: id(3, 5) },
    // event_name does not replace an event.name attribute; a long body is cut at the body limit
    { timeUnixNano: t, severityNumber: 21, severityText: "FATAL", eventName: "ignored", attributes: kv({ "event.name": str("kept") }), body: str("b".repeat(300)) },
    { timeUnixNano: t, severityText: "e".repeat(40), attributes: kv(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, str("v".repeat(i * 3))]))) },
    { timeUnixNano: t, severityNumber: 5, body: bytes(new Uint8Array([1, 2, 3])), traceId: id(9, 16) },
  ]
  return toBinary(
    ExportLogsServiceRequestSchema,
    create(ExportLogsServiceRequestSchema, {
      resourceLogs: [
        { resource: { attributes: kv({ "service.name": str("api") }) }, scopeLogs: [{ scope: { name: "app", version: "2" }, logRecords: records }] },
        { scopeLogs: [{ logRecords: [{ timeUnixNano: t, body: str("no resource, no scope") }] }] },
      ] as never,
    }),
  )
}

/** Everything a store holds of its logs, as JSON (not their byte counts: long values are interned once seen twice, so a second store of the same records holds them smaller) */
function dumpLogs(s: TelemetryStore) {
  return { logs: Array.from({ length: s.logs.ring.length }, (_, i) => JSON.parse(JSON.stringify(s.logs.ring.at(i)))), limited: { ...s.limited }, received: s.logs.received, byTrace: [...s.logs.byTrace.keys()] }
}

describe("log records from wire bytes", () => {
  for (const lim of [{}, { valueLength: 8, count: 3, bodyLength: 64 }]) {
    test(`store the same as the protobuf-es path (limits ${JSON.stringify(lim)})`, () => {
      const body = logRequest()
      const a = logStore(lim)
      const b = logStore(lim)
      expect(ingestLogBytes(b, body)).toBe(ingestLogs(a, fromBinary(ExportLogsServiceRequestSchema, body)))
      expect(dumpLogs(b)).toEqual(dumpLogs(a))
      if ("count" in lim) expect(a.limited.truncatedValues * a.limited.droppedAttributes).toBeGreaterThan(0)
    })
  }

  test("gRPC's ResourceLogs slices give the same as the whole request", () => {
    const body = logRequest()
    const a = logStore()
    const b = logStore()
    ingestLogBytes(a, body)
    const msg = fromBinary(ExportLogsServiceRequestSchema, body)
    ingestResourceLogs(b, msg.resourceLogs.map((rl) => unwrap(toBinary(ExportLogsServiceRequestSchema, create(ExportLogsServiceRequestSchema, { resourceLogs: [rl] })))))
    expect(dumpLogs(b)).toEqual(dumpLogs(a))
  })

  test("malformed bytes store nothing and throw only OtlpError; what is accepted is what protobuf-es reads", () => {
    const body = logRequest()
    let rejected = 0
    let accepted = 0
    let seed = 11
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed)
    for (let i = 0; i < 3000; i++) {
      const m = new Uint8Array(body)
      if (i % 3 === 0) m[rand() % m.length] = rand() & 0xff
      if (i % 3 === 2) for (let k = 0; k < 4; k++) m[rand() % m.length]! ^= 1 << (rand() % 8)
      const cut = i % 3 === 1 ? m.subarray(0, rand() % m.length) : m
      const s = logStore()
      try {
        ingestLogBytes(s, cut)
        accepted++
        let ref: TelemetryStore | undefined = logStore()
        try {
          ingestLogs(ref, fromBinary(ExportLogsServiceRequestSchema, cut))
        } catch {
          ref = undefined
        }
        if (ref) expect(dumpLogs(s).logs).toEqual(dumpLogs(ref).logs)
      } catch (e) {
        if (!(e instanceof OtlpError)) throw e
        rejected++
        expect(s.logs.ring.length).toBe(0)
        expect(s.limited).toEqual({ truncatedValues: 0, droppedAttributes: 0 })
      }
    }
    expect(rejected).toBeGreaterThan(100)
    expect(accepted).toBeGreaterThan(100)
  })
})
