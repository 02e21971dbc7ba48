// Shared by the OTel load benches: a real devrig (compiled binary) whose only component is the
// collector, paced load of spans/logs/metrics over OTLP/HTTP protobuf, and /proc readings of
// the supervisor (CPU ticks, RSS).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { create, toBinary } from "@bufbuild/protobuf"
import { ExportTraceServiceRequestSchema } from "../src/otel/gen/trace_service_pb.ts"
import { ExportLogsServiceRequestSchema } from "../src/otel/gen/logs_service_pb.ts"
import { ExportMetricsServiceRequestSchema } from "../src/otel/gen/metrics_service_pb.ts"
import type { StatusResponse } from "../src/server/api-types.ts"
import { freePort } from "./free-port.ts"

export const BIN = join(import.meta.dir, "..", "dist", "devrig")


export interface Collector {
  pid: number
  dash: number
  http: number
  grpc: number
  status(): Promise<StatusResponse>
  stop(): Promise<void>
}

/** `devrig start -d` of a project with only `[dashboard]` (buffers as given). */
export async function startCollector(otel: Record<string, number | string> = {}): Promise<Collector> {
  const dir = mkdtempSync(join(tmpdir(), "devrig-bench-otel-"))
  const [dash, grpc, http] = [await freePort(), await freePort(), await freePort()]
  const extra = Object.entries(otel).map(([k, v]) => `${k} = ${typeof v === "string" ? JSON.stringify(v) : v}`).join("\n")
  writeFileSync(join(dir, "devrig.toml"), `[project]\nname = "benchotel"\n\n[dashboard]\nport = ${dash}\n[dashboard.otel]\ngrpc_port = ${grpc}\nhttp_port = ${http}\n${extra}\n`)
  const env = { ...process.env, XDG_STATE_HOME: join(dir, "state"), NO_COLOR: "1" }
  const r = Bun.spawnSync([BIN, "start", "-d"], { cwd: dir, env, stdout: "pipe", stderr: "pipe" })
  if (r.exitCode !== 0) throw new Error(`devrig start -d failed: ${r.stderr}`)
  const pid = (JSON.parse(readFileSync(join(dir, ".devrig", "state.json"), "utf8")) as { supervisor: { pid: number } }).supervisor.pid
  return {
    pid,
    dash,
    http,
    grpc,
    status: async () => {
      const token = readFileSync(join(dir, ".devrig", "token"), "utf8").trim()
      return (await (await fetch(`http://127.0.0.1:${dash}/api/status`, { headers: { authorization: `Bearer ${token}` } })).json()) as StatusResponse
    },
    stop: async () => {
      // not spawnSync: a blocked event loop cannot close this process's client connections,
      // and the supervisor's shutdown would wait for them
      await Bun.spawn([BIN, "delete"], { cwd: dir, env, stdout: "ignore", stderr: "ignore" }).exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return Number(f[11]) + Number(f[12])
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  return m ? Number(m[1]) / 1024 : 0
}

const str = (value: string) => ({ value: { case: "stringValue" as const, value } })
const int = (value: number) => ({ value: { case: "intValue" as const, value: BigInt(value) } })
const SERVICES = ["api", "web", "worker", "db", "auth"]
let seq = 0

function id(n: number, len: number): Uint8Array {
  const b = new Uint8Array(len)
  new DataView(b.buffer).setUint32(len - 4, n)
  new DataView(b.buffer).setUint32(0, process.pid)
  return b
}

/** `spans` spans in traces of 10, with realistic attributes, timestamps now. */
export function spanBatch(spans: number): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n
  const out = []
  let trace = 0
  for (let i = 0; i < spans; i++) {
    if (i % 10 === 0) trace = ++seq
    out.push({
      traceId: id(trace, 16),
      spanId: id(trace * 16 + (i % 10) + 1, 8),
      parentSpanId: i % 10 === 0 ? new Uint8Array(0) : id(trace * 16 + 1, 8),
      name: i % 10 === 0 ? "GET /users/:id" : `db.query ${i % 7}`,
      kind: 2,
      startTimeUnixNano: now - 5_000_000n,
      endTimeUnixNano: now - BigInt(i % 5) * 1_000_000n,
      attributes: [
        { key: "http.route", value: str("/users/:id") },
        { key: "http.response.status_code", value: int(i % 50 === 0 ? 500 : 200) },
        { key: "db.system", value: str("postgresql") },
      ],
      status: { code: 0, message: "" },
    })
  }
  return toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: str(SERVICES[seq % 5]!) }] }, scopeSpans: [{ spans: out }] }] }))
}

export function logBatch(n: number): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n
  const logRecords = Array.from({ length: n }, (_, i) => ({ timeUnixNano: now, severityNumber: 9 + (i % 3) * 4, severityText: "INFO", body: str(`request ${seq}/${i} handled in ${i % 50} ms`), attributes: [{ key: "user.id", value: int(i) }] }))
  return toBinary(ExportLogsServiceRequestSchema, create(ExportLogsServiceRequestSchema, { resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: str("api") }] }, scopeLogs: [{ logRecords }] }] }))
}

export function metricBatch(series: number): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n
  const dataPoints = Array.from({ length: series }, (_, i) => ({ timeUnixNano: now, attributes: [{ key: "route", value: str(`/r${i}`) }], value: { case: "asDouble" as const, value: Math.random() * 100 } }))
  return toBinary(
    ExportMetricsServiceRequestSchema,
    create(ExportMetricsServiceRequestSchema, { resourceMetrics: [{ resource: { attributes: [{ key: "service.name", value: str("api") }] }, scopeMetrics: [{ metrics: [{ name: "http.server.duration", data: { case: "gauge", value: { dataPoints } } }] }] }] }),
  )
}

export async function post(port: number, signal: "traces" | "logs" | "metrics", body: Uint8Array): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/${signal}`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: body as BodyInit })
}

/**
 * Calls `tick` every `periodMs` until `untilMs` (absolute), without drift; a tick that is late
 * is not made up, so the offered rate never bursts above the target.
 */
export async function paced(periodMs: number, untilMs: number, tick: () => Promise<void>): Promise<{ late: number; ticks: number }> {
  let next = performance.now()
  let late = 0
  let ticks = 0
  const inflight = new Set<Promise<void>>()
  while (Date.now() < untilMs) {
    const p = tick().catch(() => {})
    inflight.add(p)
    void p.finally(() => inflight.delete(p))
    ticks++
    next += periodMs
    const wait = next - performance.now()
    if (wait > 0) await Bun.sleep(wait)
    else {
      late++
      next = performance.now()
    }
    if (inflight.size > 64) await Promise.race(inflight)
  }
  await Promise.all(inflight)
  return { late, ticks }
}

// ─── realistic SDK-shaped telemetry (bench/otel-store-size.ts, bench/otel-ingest.ts) ─────────
/** differs per process, so ids never repeat across bench runs against one collector */
const run = (Date.now() & 0xffffff) | 0x1000000

function rid(a: number, b: number, len: number): Uint8Array {
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

let traceSeq = 0

export function realisticSpans(n: number): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n
  const bySvc = new Map<string, unknown[]>()
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) traceSeq++
    const k = i % 10
    const svc = SERVICES[(traceSeq + k) % 5]!
    const start = now - BigInt(50 - k) * 1_000_000n
    const span = {
      traceId: rid(traceSeq, 0, 16),
      spanId: rid(traceSeq, k + 1, 8),
      parentSpanId: k === 0 ? new Uint8Array(0) : rid(traceSeq, 1, 8),
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
export function realisticLogs(n: number): Uint8Array {
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
      ...(i % 2 === 0 ? { traceId: rid(logSeq >> 3, 0, 16), spanId: rid(logSeq >> 3, 1, 8) } : {}),
    }
  })
  return toBinary(ExportLogsServiceRequestSchema, create(ExportLogsServiceRequestSchema, { resourceLogs: [{ resource: resource("api"), scopeLogs: [{ scope: { name: "app" }, logRecords }] }] }))
}

