/**
 * Deterministic OTLP fuzz cases, shared by the CI test (test/integration/fuzz/otlp.test.ts, a few
 * thousand bodies) and the long run (bench/fuzz-otlp.ts, ≥100k). A case is a transport, a signal,
 * a body and the statuses the OTLP spec allows for it; `runCase` sends it and returns what came
 * back. Nothing here may ever see a 5xx or a gRPC INTERNAL/UNKNOWN.
 */
import http2 from "node:http2"
import { gzipSync } from "node:zlib"
import { create, toBinary, type DescMessage } from "@bufbuild/protobuf"
import { ExportTraceServiceRequestSchema } from "../../../src/otel/gen/trace_service_pb.ts"
import { ExportLogsServiceRequestSchema } from "../../../src/otel/gen/logs_service_pb.ts"
import { ExportMetricsServiceRequestSchema } from "../../../src/otel/gen/metrics_service_pb.ts"

export type Signal = "traces" | "metrics" | "logs"
export type Transport = "http/protobuf" | "http/json" | "grpc"
export const SIGNALS: Signal[] = ["traces", "metrics", "logs"]
export const TRANSPORTS: Transport[] = ["http/protobuf", "http/json", "grpc"]

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    bytes: (n: number) => {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256)
      return out
    },
  }
}
export type Rng = ReturnType<typeof rng>

const str = (value: string) => ({ value: { case: "stringValue" as const, value } })
const NOW = BigInt(Date.now()) * 1_000_000n

function idBytes(r: Rng, n: number): Uint8Array {
  const b = r.bytes(n)
  b[0] = b[0]! | 1
  return b
}

/** A valid export request of `signal` as a protobuf-es message (a few items, random content). */
function validMessage(signal: Signal, r: Rng) {
  const resource = { attributes: [{ key: "service.name", value: str(r.pick(["api", "web", "worker"])) }] }
  if (signal === "traces") {
    const traceId = idBytes(r, 16)
    const spans = Array.from({ length: 1 + r.int(4) }, (_, i) => ({
      traceId,
      spanId: idBytes(r, 8),
      name: `op-${i}`,
      kind: r.int(6),
      startTimeUnixNano: NOW,
      endTimeUnixNano: NOW + BigInt(r.int(1e9)),
      attributes: [{ key: "k", value: str("v".repeat(r.int(50))) }],
      events: [{ name: "e", timeUnixNano: NOW }],
      status: { code: r.int(3), message: "" },
    }))
    return { schema: ExportTraceServiceRequestSchema as DescMessage, msg: create(ExportTraceServiceRequestSchema, { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "fuzz" }, spans }] }] }) }
  }
  if (signal === "logs") {
    const logRecords = Array.from({ length: 1 + r.int(4) }, (_, i) => ({
      timeUnixNano: NOW,
      severityNumber: r.int(25),
      severityText: "INFO",
      body: str(`line ${i}`),
      traceId: r.next() < 0.5 ? idBytes(r, 16) : new Uint8Array(0),
    }))
    return { schema: ExportLogsServiceRequestSchema as DescMessage, msg: create(ExportLogsServiceRequestSchema, { resourceLogs: [{ resource, scopeLogs: [{ logRecords }] }] }) }
  }
  const dataPoints = [{ timeUnixNano: NOW, value: { case: "asDouble" as const, value: r.next() * 100 } }]
  const metrics = [
    { name: "g", data: { case: "gauge" as const, value: { dataPoints } } },
    { name: "s", data: { case: "sum" as const, value: { dataPoints, isMonotonic: true, aggregationTemporality: 2 } } },
    {
      name: "h",
      data: { case: "histogram" as const, value: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: NOW, count: 3n, sum: 6, explicitBounds: [1, 2], bucketCounts: [1n, 1n, 1n] }] } },
    },
  ]
  return { schema: ExportMetricsServiceRequestSchema as DescMessage, msg: create(ExportMetricsServiceRequestSchema, { resourceMetrics: [{ resource, scopeMetrics: [{ metrics }] }] }) }
}

export function validProto(signal: Signal, r: Rng): Uint8Array {
  const { schema, msg } = validMessage(signal, r)
  return toBinary(schema, msg)
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

/** A valid OTLP/JSON body (ids as hex, enums as numbers), as a plain object. */
export function validJson(signal: Signal, r: Rng): Record<string, unknown> {
  const resource = { attributes: [{ key: "service.name", value: { stringValue: "api" } }] }
  if (signal === "traces")
    return {
      resourceSpans: [
        {
          resource,
          scopeSpans: [{ spans: [{ traceId: hex(idBytes(r, 16)), spanId: hex(idBytes(r, 8)), name: "op", kind: 2, startTimeUnixNano: String(NOW), endTimeUnixNano: String(NOW + 1000n) }] }],
        },
      ],
    }
  if (signal === "logs") return { resourceLogs: [{ resource, scopeLogs: [{ logRecords: [{ timeUnixNano: String(NOW), severityNumber: 9, body: { stringValue: "hello" }, traceId: hex(idBytes(r, 16)) }] }] }] }
  return { resourceMetrics: [{ resource, scopeMetrics: [{ metrics: [{ name: "g", gauge: { dataPoints: [{ timeUnixNano: String(NOW), asDouble: 1.5 }] } }] }] }] }
}

/** What the spec allows: HTTP statuses, or gRPC status codes. */
export interface FuzzCase {
  kind: string
  transport: Transport
  signal: Signal
  body: Uint8Array
  contentType?: string
  encoding?: "gzip" | "deflate" | "br"
  allowed: number[]
}

const HTTP_BAD = [200, 400] // a mutation may still decode; a failure is the client's (400)
const GRPC_BAD = [0, 3] // OK or INVALID_ARGUMENT

function mutateBytes(r: Rng, b: Uint8Array): Uint8Array {
  const out = b.slice()
  const flips = 1 + r.int(8)
  for (let i = 0; i < flips && out.length; i++) out[r.int(out.length)] = r.int(256)
  return out
}

function truncatedVarint(r: Rng, b: Uint8Array): Uint8Array {
  // cut inside the message, then a field tag followed by varint bytes with the continuation bit set
  const cut = b.subarray(0, r.int(b.length + 1))
  const tail = new Uint8Array(2 + r.int(9)).fill(0x80 | r.int(128))
  tail[0] = r.pick([0x08, 0x10, 0x0a, 0x12]) // field 1/2, varint or length-delimited
  const out = new Uint8Array(cut.length + tail.length)
  out.set(cut)
  out.set(tail, cut.length)
  return out
}

function hugeLength(r: Rng, b: Uint8Array): Uint8Array {
  // a length-delimited field that claims ~2 GiB
  const out = new Uint8Array(b.length + 6)
  out.set(b)
  out.set([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07], b.length)
  return r.next() < 0.5 ? out : out.subarray(0, b.length + 3)
}

/** A deeply nested AnyValue (kvlist inside kvlist …), as OTLP/JSON. */
export function deepJson(signal: Signal, depth: number): string {
  let v = '{"stringValue":"leaf"}'
  for (let i = 0; i < depth; i++) v = `{"kvlistValue":{"values":[{"key":"k","value":${v}}]}}`
  const attrs = `[{"key":"deep","value":${v}}]`
  if (signal === "traces") return `{"resourceSpans":[{"resource":{"attributes":${attrs}},"scopeSpans":[]}]}`
  if (signal === "logs") return `{"resourceLogs":[{"resource":{"attributes":${attrs}},"scopeLogs":[]}]}`
  return `{"resourceMetrics":[{"resource":{"attributes":${attrs}},"scopeMetrics":[]}]}`
}

const enc = new TextEncoder()

function lenDelim(field: number, payload: Uint8Array): Uint8Array {
  const len: number[] = []
  let n = payload.length
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  len.push(n)
  const out = new Uint8Array(1 + len.length + payload.length)
  out[0] = (field << 3) | 2
  out.set(len, 1)
  out.set(payload, 1 + len.length)
  return out
}

const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) (out.set(p, off), (off += p.length))
  return out
}

/**
 * A resource attribute whose AnyValue nests `depth` kvlists, in protobuf wire format. The
 * resource is field 1 of ResourceSpans/ResourceLogs/ResourceMetrics alike, and those are field 1
 * of every export request, so one encoding serves all three signals.
 */
export function deepProto(depth: number): Uint8Array {
  let v = lenDelim(1, enc.encode("leaf")) // AnyValue.string_value
  for (let i = 0; i < depth; i++) v = lenDelim(6, lenDelim(1, cat(lenDelim(1, enc.encode("k")), lenDelim(2, v)))) // kvlist_value{values{key,value}}
  const kv = cat(lenDelim(1, enc.encode("deep")), lenDelim(2, v))
  return lenDelim(1, lenDelim(1, lenDelim(1, kv)))
}

const JSON_MUTATIONS: ((r: Rng, o: Record<string, unknown>, s: Signal) => string)[] = [
  // bad hex ids: odd length, non-hex, too long, wrong type
  (r, o) => JSON.stringify(o).replace(/"(traceId|spanId)":"[0-9a-f]+"/, `"$1":${r.pick(['"abc"', '"zzzz"', '"' + "ab".repeat(200) + '"', "12345", "null", "[]", '"-"'])}`),
  // retyped values
  (r, o) => JSON.stringify(o).replace(/"(name|severityNumber|kind|timeUnixNano|startTimeUnixNano|asDouble)":[^,}]+/, `"$1":${r.pick(["{}", "[]", "true", '"x"', "-1e999", "1.5", '"99999999999999999999999999"'])}`),
  (r, o, s) => JSON.stringify({ [Object.keys(o)[0]!]: r.pick([5, "x", null, {}, [1, 2], true]) }) + (s === "logs" ? "" : ""),
  // truncated and garbage
  (r, o) => {
    const t = JSON.stringify(o)
    return t.slice(0, r.int(t.length))
  },
  (r) => r.pick(["", "null", "[]", "123", '"str"', "{", "}", "{{}}", "\u0000", '{"a":1}', "[" .repeat(5000)]),
  // unknown fields are fine; deep nesting must not overflow anything
  (r, o) => JSON.stringify({ ...o, unknownField: { x: [1, 2, 3] } }),
  (r, _o, s) => deepJson(s, r.pick([10, 100, 1000, 5000])),
]

/** The i-th case of a seeded stream; cheap to generate, every kind represented. */
export function makeCase(r: Rng, big: { bomb: Uint8Array; oversized: Uint8Array }): FuzzCase {
  const transport = r.pick(TRANSPORTS)
  const signal = r.pick(SIGNALS)
  const roll = r.int(100)
  const grpc = transport === "grpc"
  const bad = grpc ? GRPC_BAD : HTTP_BAD
  const base = { transport, signal }
  if (transport === "http/json") {
    if (roll < 3) return { ...base, kind: "wrong-content-type", body: enc.encode("{}"), contentType: r.pick(["text/plain", "application/xml", "", "multipart/form-data", "application/jsonx"]), allowed: [415] }
    if (roll < 5) return { ...base, kind: "bad-encoding", body: enc.encode("{}"), encoding: "br", allowed: [415] }
    if (roll < 8) return { ...base, kind: "gzip-garbage", body: r.bytes(1 + r.int(200)), encoding: "gzip", allowed: [400] }
    if (roll < 15) return { ...base, kind: "valid-json", body: enc.encode(JSON.stringify(validJson(signal, r))), allowed: [200] }
    const m = r.int(JSON_MUTATIONS.length)
    return { ...base, kind: `json-mutation-${m}`, body: enc.encode(JSON_MUTATIONS[m]!(r, validJson(signal, r), signal)), allowed: HTTP_BAD }
  }
  const valid = validProto(signal, r)
  if (roll < 1) return { ...base, kind: "gzip-bomb", body: big.bomb, encoding: "gzip", allowed: grpc ? [8] : [413] }
  if (roll < 2) return { ...base, kind: "oversized", body: big.oversized, allowed: grpc ? [8] : [413] }
  if (!grpc && roll < 5) return { ...base, kind: "wrong-content-type", body: valid, contentType: r.pick(["text/plain", "application/octet-stream", "application/grpc", ""]), allowed: [415] }
  if (roll < 10) return { ...base, kind: "valid", body: valid, allowed: grpc ? [0] : [200] }
  if (roll < 14) return { ...base, kind: "valid-gzip", body: gzipSync(valid), encoding: "gzip", allowed: grpc ? [0] : [200] }
  if (roll < 30) return { ...base, kind: "random-bytes", body: r.bytes(r.int(2048)), allowed: bad }
  if (roll < 45) return { ...base, kind: "truncated", body: valid.subarray(0, r.int(valid.length)), allowed: bad }
  if (roll < 60) return { ...base, kind: "truncated-varint", body: truncatedVarint(r, valid), allowed: bad }
  if (roll < 65) return { ...base, kind: "huge-length", body: hugeLength(r, valid), allowed: bad }
  if (roll < 67) return { ...base, kind: "deep-nesting", body: deepProto(r.pick([10, 100, 1000, 3000])), allowed: bad }
  if (roll < 70) return { ...base, kind: "gzip-garbage", body: r.bytes(1 + r.int(200)), encoding: "gzip", allowed: bad }
  return { ...base, kind: "bit-flips", body: mutateBytes(r, valid), allowed: bad }
}

/** The big bodies, made once: 64 MiB of zeros gzipped (~64 KiB), and 21 MiB raw (over both caps). */
export function bigBodies(): { bomb: Uint8Array; oversized: Uint8Array } {
  return { bomb: gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }), oversized: new Uint8Array(21 * 1024 * 1024).fill(0x0a) }
}

const GRPC_PATH: Record<Signal, string> = {
  traces: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
  metrics: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
  logs: "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
}

export interface Target {
  httpPort: number
  grpcPort: number
  session?: http2.ClientHttp2Session
}

function grpcSession(t: Target): http2.ClientHttp2Session {
  if (!t.session || t.session.closed || t.session.destroyed) {
    t.session = http2.connect(`http://127.0.0.1:${t.grpcPort}`)
    t.session.on("error", () => {})
  }
  return t.session
}

/** Sends one case; resolves with the HTTP status or gRPC status code (-1: no answer at all). */
export async function runCase(t: Target, c: FuzzCase): Promise<{ status: number; message: string }> {
  if (c.transport !== "grpc") {
    const headers: Record<string, string> = { "content-type": c.contentType ?? (c.transport === "http/json" ? "application/json" : "application/x-protobuf") }
    if (c.contentType === "") delete headers["content-type"]
    if (c.encoding) headers["content-encoding"] = c.encoding
    try {
      const res = await fetch(`http://127.0.0.1:${t.httpPort}/v1/${c.signal}`, { method: "POST", headers, body: c.body as BodyInit, signal: AbortSignal.timeout(30_000) })
      const text = await res.text()
      return { status: res.status, message: text.slice(0, 200) }
    } catch (e) {
      return { status: -1, message: (e as Error).message }
    }
  }
  return new Promise((resolve) => {
    const headers: http2.OutgoingHttpHeaders = { ":method": "POST", ":path": GRPC_PATH[c.signal], "content-type": "application/grpc+proto", te: "trailers" }
    if (c.encoding) headers["grpc-encoding"] = c.encoding
    let status: string | undefined
    let message = ""
    // A refused message of ~10 MiB and more leaves the HTTP/2 connection unusable for the next
    // stream (reset with ENHANCE_YOUR_CALM; grpc-js reconnects): such cases get a connection of their own.
    const own = c.body.length > 8 * 1024 * 1024 ? http2.connect(`http://127.0.0.1:${t.grpcPort}`).on("error", () => {}) : undefined
    const req = (own ?? grpcSession(t)).request(headers)
    const take = (h: http2.IncomingHttpHeaders) => {
      status ??= h["grpc-status"] as string | undefined
      if (h["grpc-message"]) message = decodeURIComponent(String(h["grpc-message"]))
    }
    const timer = setTimeout(() => (req.close(), resolve({ status: -1, message: "timeout" })), 30_000)
    req.on("response", take)
    req.on("trailers", take)
    req.on("data", () => {})
    // destroy, not close: close() waits for the refused stream, whose unsent ~20 MiB stays buffered
    const done = (v: { status: number; message: string }) => (clearTimeout(timer), own?.destroy(), resolve(v))
    req.on("end", () => done({ status: status === undefined ? -1 : Number(status), message }))
    req.on("error", (e) => done({ status: -1, message: e.message }))
    const frame = new Uint8Array(5 + c.body.length)
    frame[0] = c.encoding ? 1 : 0
    new DataView(frame.buffer).setUint32(1, c.body.length)
    frame.set(c.body, 5)
    req.end(frame)
  })
}
