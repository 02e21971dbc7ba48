// OTLP ingest throughput (HTTP protobuf and gRPC, 512-span batches) as a ratio to raw
// protobuf-es decode of the same payloads, and p50/p99 of the PRD's queries with full
// buffers (10k traces, 100k logs, 50k points). Run: bun bench/otel-ingest.ts (< 60 s).
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { create, fromBinary, toBinary } from "@bufbuild/protobuf"
import { ExportTraceServiceRequestSchema } from "../src/otel/gen/trace_service_pb.ts"
import { ExportLogsServiceRequestSchema } from "../src/otel/gen/logs_service_pb.ts"
import { ExportMetricsServiceRequestSchema } from "../src/otel/gen/metrics_service_pb.ts"
import { ingestLogs, ingestMetrics, ingestTraces } from "../src/otel/ingest.ts"
import { TelemetryStore } from "../src/otel/store.ts"
import { startOtlpHttp } from "../src/otel/receiver-http.ts"
import { startOtlpGrpc } from "../src/otel/receiver-grpc.ts"
import { listTraces, traceDetail } from "../src/query/traces.ts"
import { queryLogs } from "../src/query/logs.ts"
import { listMetrics, metricSeries } from "../src/query/metrics.ts"
import { related } from "../src/query/related.ts"

const SERVICES = ["api", "web", "worker", "db", "auth"]
const str = (value: string) => ({ value: { case: "stringValue" as const, value } })
const int = (value: number) => ({ value: { case: "intValue" as const, value: BigInt(value) } })
const res = (s: string) => ({ attributes: [{ key: "service.name", value: str(s) }] })
const id = (n: number, len: number) => {
  const b = new Uint8Array(len)
  new DataView(b.buffer).setUint32(len - 4, n)
  b[0] = 1
  return b
}
const NOW_NS = BigInt(Date.now()) * 1_000_000n

let traceSeq = 0
function traceBatch(spans = 512, perTrace = 16) {
  const out = []
  for (let i = 0; i < spans; i++) {
    if (i % perTrace === 0) traceSeq++
    const start = NOW_NS - BigInt((traceSeq % 1000) * 1_000_000)
    out.push({
      traceId: id(traceSeq, 16),
      spanId: id(traceSeq * 100 + (i % perTrace) + 1, 8),
      parentSpanId: i % perTrace === 0 ? new Uint8Array(0) : id(traceSeq * 100 + 1, 8),
      name: i % perTrace === 0 ? "GET /users/:id" : `db.query ${i % 7}`,
      kind: 2,
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(((i * 7919) % 500) * 1_000_000),
      attributes: [{ key: "http.route", value: str("/users/:id") }, { key: "http.response.status_code", value: int(i % 50 === 0 ? 500 : 200) }],
      status: { code: 0, message: "" },
    })
  }
  return create(ExportTraceServiceRequestSchema, { resourceSpans: [{ resource: res(SERVICES[traceSeq % 5]!), scopeSpans: [{ spans: out }] }] })
}

const payloads = Array.from({ length: 40 }, () => toBinary(ExportTraceServiceRequestSchema, traceBatch()))
const SPANS = 512 * payloads.length

async function rate(label: string, rounds: number, run: () => Promise<void> | void): Promise<number> {
  for (let i = 0; i < 3; i++) await run() // warm-up: JIT tiers
  const t = performance.now()
  for (let i = 0; i < rounds; i++) await run()
  const perSec = (SPANS * rounds) / ((performance.now() - t) / 1000)
  console.log(`${label.padEnd(28)} ${Math.round(perSec).toLocaleString("en-US").padStart(12)} spans/s`)
  return perSec
}

function limits() {
  return { traceBuffer: 10_000, metricBuffer: 50_000, logBuffer: 100_000, retentionMs: 3_600_000 }
}

console.log(`ingest: ${payloads.length} batches × 512 spans (${(payloads[0]!.byteLength / 1024).toFixed(0)} KiB each)`)
const raw = await rate("raw protobuf-es decode", 10, () => {
  for (const p of payloads) fromBinary(ExportTraceServiceRequestSchema, p)
})
// The exporters run in their own process (bench/otel-client.ts), as a service's would: what is
// measured is the receiver's side — framing, decompression, decode and ingest into the store.
const payloadFile = join(mkdtempSync(join(tmpdir(), "devrig-ingest-")), "payloads.bin")
writeFileSync(
  payloadFile,
  Buffer.concat(
    payloads.flatMap((p) => {
      const len = Buffer.alloc(4)
      len.writeUInt32BE(p.byteLength)
      return [len, Buffer.from(p)]
    }),
  ),
)
async function clientRate(label: string, mode: "http" | "grpc", port: number, rounds: number): Promise<number> {
  const proc = Bun.spawn(["bun", join(import.meta.dir, "otel-client.ts"), mode, String(port), payloadFile, String(rounds)], { stdout: "pipe", stderr: "inherit" })
  const ms = Number((await new Response(proc.stdout).text()).trim())
  if ((await proc.exited) !== 0 || !Number.isFinite(ms)) throw new Error(`${mode} client failed`)
  const perSec = (SPANS * rounds) / (ms / 1000)
  console.log(`${label.padEnd(28)} ${Math.round(perSec).toLocaleString("en-US").padStart(12)} spans/s`)
  return perSec
}
const httpStore = new TelemetryStore(limits())
const httpServer = startOtlpHttp(httpStore, 0)
const httpRate = await clientRate("OTLP/HTTP protobuf", "http", httpServer.port!, 3)
httpServer.stop(true)

const grpcStore = new TelemetryStore(limits())
const grpc = await startOtlpGrpc(grpcStore, 0)
const grpcRate = await clientRate("OTLP/gRPC", "grpc", grpc.port, 3)
await grpc.stop()
console.log(`ratio to raw decode: HTTP ${(httpRate / raw).toFixed(2)}, gRPC ${(grpcRate / raw).toFixed(2)}`)

// ─── queries with full buffers ───────────────────────────────────────────────────────────
const store = new TelemetryStore(limits())
traceSeq = 0
for (let i = 0; i < 10_000 / 32; i++) ingestTraces(store, traceBatch(512, 16))
const levels = [9, 9, 9, 13, 17]
for (let b = 0; b < 100; b++) {
  const records = Array.from({ length: 1000 }, (_, i) => ({
    timeUnixNano: NOW_NS - BigInt((100_000 - b * 1000 - i) * 1_000_000),
    severityNumber: levels[i % 5]!,
    severityText: ["INFO", "INFO", "INFO", "WARN", "ERROR"][i % 5]!,
    body: { value: { case: "stringValue" as const, value: i % 97 === 0 ? "connection refused to db" : `handled request ${i}` } },
    traceId: id(1 + ((b * 1000 + i) % 10_000), 16),
    spanId: id(1, 8),
  }))
  ingestLogs(store, create(ExportLogsServiceRequestSchema, { resourceLogs: [{ resource: res(SERVICES[b % 5]!), scopeLogs: [{ logRecords: records }] }] }))
}
for (let b = 0; b < 50; b++) {
  const points = Array.from({ length: 1000 }, (_, i) => ({
    timeUnixNano: NOW_NS - BigInt((1000 - i) * 1_000_000_000),
    attributes: [{ key: "route", value: str(`/r${i % 10}`) }],
    value: { case: "asDouble" as const, value: i },
  }))
  ingestMetrics(store, create(ExportMetricsServiceRequestSchema, {
    resourceMetrics: [{ resource: res(SERVICES[b % 5]!), scopeMetrics: [{ metrics: [{ name: `metric.${b % 10}`, data: { case: "gauge", value: { dataPoints: points } } }] }] }],
  }))
}
const c = store.counters()
console.log(`\nqueries over ${c.traces.traceCount} traces (${c.traces.stored} spans), ${c.logs.stored} logs, ${c.metrics.stored} points`)
const someTrace = [...store.traces.byId.keys()][5000]!
const queries: [string, () => unknown][] = [
  ["traces", () => listTraces(store, {})],
  ["traces --service api --status error", () => listTraces(store, { service: "api", status: "error" })],
  ["traces --min-duration 400ms", () => listTraces(store, { minDurationMs: 400 })],
  ["traces --around now --window 10s", () => listTraces(store, { around: Date.now(), windowMs: 10_000 })],
  ["trace <id>", () => traceDetail(store, someTrace)],
  ["related <id>", () => related(store, someTrace)],
  ["logs", () => queryLogs(store, {})],
  ["logs --service api --level error", () => queryLogs(store, { service: "api", levels: ["error"] })],
  ['logs --search "connection refused"', () => queryLogs(store, { search: "connection refused" })],
  ["logs --around <trace-id>", () => queryLogs(store, { aroundTrace: someTrace })],
  ["logs --from --to --service api", () => queryLogs(store, { service: "api", from: Date.now() - 20_000, to: Date.now() - 10_000 })],
  ["metrics", () => listMetrics(store)],
  ["metrics --name --service --last 5m", () => metricSeries(store, { name: "metric.0", service: "api", lastMs: 300_000 })],
]
for (const [name, q] of queries) {
  const times: number[] = []
  for (let i = 0; i < 5; i++) JSON.stringify(q())
  const deadline = performance.now() + 1500
  while (times.length < 200 && performance.now() < deadline) {
    const t = performance.now()
    JSON.stringify(q()) // what the API pays too
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))]!.toFixed(2)
  console.log(`${name.padEnd(38)} p50 ${pct(0.5).padStart(7)} ms   p99 ${pct(0.99).padStart(7)} ms   (n=${times.length})`)
}
