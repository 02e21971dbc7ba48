// Bytes of supervisor RSS per stored span and per stored log record: the compiled binary
// (collector only, default settings), realistic SDK-shaped telemetry over OTLP/HTTP protobuf,
// and the RSS of the supervisor process read from /proc before and after (not object counts).
// Spans: 10 attributes, 15 resource attributes, one event in 10, traces of 10 spans. Logs: a
// ~80-character body, 3 attributes, the same resource, one in two carrying a trace id.
// Targets: ≤ 500 B per span at 100k spans, ≤ 400 B per log record at 100k records.
//   bun bench/otel-store-size.ts [spans=100000] [logs=100000]
import { create, toBinary } from "@bufbuild/protobuf"
import { ExportTraceServiceRequestSchema } from "../src/otel/gen/trace_service_pb.ts"
import { ExportLogsServiceRequestSchema } from "../src/otel/gen/logs_service_pb.ts"
import { rssMiB, startCollector } from "./otel-common.ts"

const SPANS = Number(process.argv[2] ?? 100_000)
const LOGS = Number(process.argv[3] ?? 100_000)
const TARGET = { span: 500, log: 400 }
const BATCH = 500

const str = (value: string) => ({ value: { case: "stringValue" as const, value } })
const int = (value: number) => ({ value: { case: "intValue" as const, value: BigInt(value) } })
const run = (Date.now() & 0xffffff) | 0x1000000

function id(a: number, b: number, len: number): Uint8Array {
  const out = new Uint8Array(len)
  const v = new DataView(out.buffer)
  v.setUint32(0, run)
  v.setUint32(len - 8, a)
  v.setUint32(len - 4, b)
  return out
}

/** What an OTel Node SDK with a few resource detectors sends. */
function resource(service: string) {
  const a: Record<string, string> = {
    "service.name": service,
    "service.version": "1.4.2",
    "service.namespace": "shop",
    "service.instance.id": "6c1f3a0e-4b8a-4f7e-9d0c-2b3f4a5b6c7d",
    "deployment.environment.name": "development",
    "telemetry.sdk.name": "opentelemetry",
    "telemetry.sdk.language": "nodejs",
    "telemetry.sdk.version": "2.0.1",
    "host.name": "dev-laptop",
    "host.arch": "amd64",
    "os.type": "linux",
    "process.pid": "48213",
    "process.runtime.name": "nodejs",
    "process.runtime.version": "22.11.0",
    "process.command": "/app/dist/server.js",
  }
  return { attributes: Object.entries(a).map(([key, v]) => ({ key, value: str(v) })) }
}

const SERVICES = ["api", "web", "worker", "db", "auth"]
let traceSeq = 0

function spanRequest(n: number): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n
  const bySvc = new Map<string, unknown[]>()
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) traceSeq++
    const k = i % 10
    const svc = SERVICES[(traceSeq + k) % 5]!
    const start = now - BigInt(50 - k) * 1_000_000n
    const span = {
      traceId: id(traceSeq, 0, 16),
      spanId: id(traceSeq, k + 1, 8),
      parentSpanId: k === 0 ? new Uint8Array(0) : id(traceSeq, 1, 8),
      name: k === 0 ? "GET /api/users/:id" : `SELECT shop.users ${k}`,
      kind: k === 0 ? 2 : 3,
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(1 + k) * 1_000_000n,
      attributes: [
        { key: "http.request.method", value: str("GET") },
        { key: "http.route", value: str("/api/users/:id") },
        { key: "url.path", value: str(`/api/users/${traceSeq % 5000}`) },
        { key: "http.response.status_code", value: int(traceSeq % 50 === 0 ? 500 : 200) },
        { key: "server.address", value: str("localhost") },
        { key: "server.port", value: int(3000) },
        { key: "network.protocol.version", value: str("1.1") },
        { key: "db.system", value: str("postgresql") },
        { key: "db.statement", value: str(`SELECT id, name, email FROM users WHERE id = $1 -- ${k}`) },
        { key: "user_agent.original", value: str("Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0") },
      ],
      events: i % 10 === 5 ? [{ name: "exception", timeUnixNano: start, attributes: [{ key: "exception.type", value: str("TimeoutError") }, { key: "exception.message", value: str(`query timed out after ${k} ms`) }] }] : [],
      status: { code: traceSeq % 50 === 0 ? 2 : 0, message: "" },
    }
    const list = bySvc.get(svc) ?? []
    list.push(span)
    bySvc.set(svc, list)
  }
  return toBinary(
    ExportTraceServiceRequestSchema,
    create(ExportTraceServiceRequestSchema, {
      resourceSpans: [...bySvc].map(([svc, spans]) => ({ resource: resource(svc), scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-http", version: "0.57.0" }, spans: spans as never }] })),
    }),
  )
}

let logSeq = 0
function logRequest(n: number): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n
  const logRecords = Array.from({ length: n }, (_, i) => {
    logSeq++
    return {
      timeUnixNano: now,
      observedTimeUnixNano: now,
      severityNumber: 9,
      severityText: "INFO",
      body: str(`request ${logSeq} GET /api/users/${logSeq % 5000} completed with 200 in ${i % 90} ms`),
      attributes: [
        { key: "http.route", value: str("/api/users/:id") },
        { key: "user.id", value: int(logSeq % 5000) },
        { key: "logger.name", value: str("app.http") },
      ],
      ...(i % 2 === 0 ? { traceId: id(logSeq >> 3, 0, 16), spanId: id(logSeq >> 3, 1, 8) } : {}),
    }
  })
  return toBinary(ExportLogsServiceRequestSchema, create(ExportLogsServiceRequestSchema, { resourceLogs: [{ resource: resource("api"), scopeLogs: [{ scope: { name: "app" }, logRecords }] }] }))
}

async function send(port: number, signal: "traces" | "logs", body: Uint8Array): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/${signal}`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: body as BodyInit })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`${signal}: HTTP ${res.status}`)
}

/** RSS once it stops moving (the collector's garbage is collected between batches, not instantly). */
async function settledRss(pid: number): Promise<number> {
  let last = rssMiB(pid)
  for (let i = 0; i < 40; i++) {
    await Bun.sleep(500)
    const now = rssMiB(pid)
    if (Math.abs(now - last) < 0.25) return now
    last = now
  }
  return last
}

/** Supervisor RSS growth per stored item: a fresh collector, one warm-up batch, then `n` items. */
async function measure(signal: "traces" | "logs", n: number, make: (n: number) => Uint8Array) {
  const c = await startCollector()
  try {
    await send(c.http, signal, make(BATCH))
    const base = await settledRss(c.pid)
    for (let sent = BATCH; sent < n; sent += BATCH) await send(c.http, signal, make(Math.min(BATCH, n - sent)))
    const after = await settledRss(c.pid)
    const st = (await c.status()).collector
    const counters = signal === "traces" ? st.traces : st.logs
    const perItem = ((after - base) * 1024 * 1024) / (counters.stored - BATCH)
    console.log(`${signal}: RSS ${base.toFixed(1)} MiB after warm-up → ${after.toFixed(1)} MiB with ${counters.stored.toLocaleString("en-US")} stored (${counters.received.toLocaleString("en-US")} received, ${counters.evicted} evicted); store's estimate ${((st.memory?.bytes ?? 0) / 1048576).toFixed(1)} MiB`)
    return { perItem, stored: counters.stored }
  } finally {
    await c.stop()
  }
}

const spans = await measure("traces", SPANS, spanRequest)
const logs = await measure("logs", LOGS, logRequest)
console.log(`bytes per span ${spans.perItem.toFixed(0)} (target ≤ ${TARGET.span})  bytes per log ${logs.perItem.toFixed(0)} (target ≤ ${TARGET.log})`)
console.log(`ratio span ${(spans.perItem / TARGET.span).toFixed(2)}  log ${(logs.perItem / TARGET.log).toFixed(2)}`)
let failed = spans.perItem > TARGET.span || logs.perItem > TARGET.log
if (spans.stored < SPANS || logs.stored < LOGS) {
  console.log(`FAIL: expected ${SPANS} spans and ${LOGS} logs stored`)
  failed = true
}
process.exit(failed ? 1 : 0)
