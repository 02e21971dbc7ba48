// Forwarding ([dashboard.otel] forward) through the binary: an OTLP/HTTP sink written here and a
// second devrig over OTLP/gRPC receive exactly what the app sent (headers with $VAR expanded,
// masked in validate); with the sink down, ingest keeps its speed, the queue and memory stay
// bounded (oldest dropped, counted in query status); when the sink is back, forwarding resumes.
import { expect, setDefaultTimeout, test } from "bun:test"
import { readFileSync } from "node:fs"
import { create, fromBinary, toBinary } from "@bufbuild/protobuf"
import { ExportTraceServiceRequestSchema } from "../../../src/otel/gen/trace_service_pb.ts"
import { ExportLogsServiceRequestSchema } from "../../../src/otel/gen/logs_service_pb.ts"
import type { CollectorCounters, LogRecord, TraceSummary } from "../../../src/server/api-types.ts"
import { freePort, startDetached, waitFor } from "../../helpers/proc-fixtures.ts"
import { app, rig, started, stopLeftovers, type Rig } from "../beyond/helpers.ts"

setDefaultTimeout(180_000)
stopLeftovers()

interface Sink {
  port: number
  spans: Set<string>
  logs: string[]
  requests: number
  headers: string[]
  stop(): void
  start(): void
}

/** An OTLP/HTTP protobuf receiver that records span names and log bodies. */
function sink(port: number): Sink {
  let server: ReturnType<typeof Bun.serve> | undefined
  const s: Sink = {
    port,
    spans: new Set(),
    logs: [],
    requests: 0,
    headers: [],
    start() {
      server = Bun.serve({
        port,
        hostname: "127.0.0.1",
        async fetch(req) {
          const body = new Uint8Array(await req.arrayBuffer())
          s.requests++
          s.headers.push(req.headers.get("x-api-key") ?? "")
          const path = new URL(req.url).pathname
          if (path === "/v1/traces")
            for (const rs of fromBinary(ExportTraceServiceRequestSchema, body).resourceSpans) for (const ss of rs.scopeSpans) for (const sp of ss.spans) s.spans.add(sp.name)
          if (path === "/v1/logs")
            for (const rl of fromBinary(ExportLogsServiceRequestSchema, body).resourceLogs) for (const sl of rl.scopeLogs) for (const l of sl.logRecords) if (l.body?.value.case === "stringValue") s.logs.push(l.body.value.value)
          return new Response(new Uint8Array(), { headers: { "content-type": "application/x-protobuf" } })
        },
      })
    },
    stop() {
      server?.stop(true)
    },
  }
  s.start()
  return s
}

/** One export request with one span of `name` carrying `pad` bytes of attribute. */
function traceRequest(name: string, pad = 0): Uint8Array {
  const id = crypto.getRandomValues(new Uint8Array(16))
  const now = BigInt(Date.now()) * 1_000_000n
  return toBinary(
    ExportTraceServiceRequestSchema,
    create(ExportTraceServiceRequestSchema, {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue", value: "load" } } }] },
          scopeSpans: [{ spans: [{ traceId: id, spanId: id.slice(0, 8), name, startTimeUnixNano: now, endTimeUnixNano: now + 1_000_000n, attributes: pad ? [{ key: "pad", value: { value: { case: "stringValue", value: "x".repeat(pad) } } }] : [] }] }],
        },
      ],
    }),
  )
}

async function post(port: number, body: Uint8Array): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: "POST", body: body as Uint8Array<ArrayBuffer>, headers: { "content-type": "application/x-protobuf" } })
  if (!res.ok) throw new Error(`ingest answered ${res.status}`)
  await res.arrayBuffer()
}

/** A started project whose collector forwards: `otel` lines join its [dashboard.otel] table. */
async function forwarding(name: string, body: string, otel: string, env: Record<string, string> = {}): Promise<Rig> {
  const r = await rig(name, body)
  const anchor = `http_port = ${r.ports.http}\n`
  r.p.write("devrig.toml", r.p.read("devrig.toml").replace(anchor, anchor + otel + "\n"))
  Object.assign(r.p.env, env)
  await startDetached(r.p)
  r.supervisorPid = r.p.supervisorPid()
  return r
}

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1])

test("an OTLP/HTTP sink and a second devrig over gRPC receive exactly what the app sent; headers expanded and masked", async () => {
  const down = await started("fwddown", "")
  const s = sink(await freePort())
  const names = ["GET /a", "GET /b", "POST /c", "GET /d"]
  const up = await forwarding(
    "fwdup",
    `[services.api]\ncommand = ${app(...names.map((n) => `span:${n}`), "log:forwarded log")}\n`,
    `forward = ["grpc://127.0.0.1:${down.ports.grpc}", { endpoint = "http://127.0.0.1:${s.port}", headers = { "x-api-key" = "$FWD_KEY" } }]`,
    { FWD_KEY: "secret-123" },
  )
  const upNames = await waitFor(async () => {
    const t = await up.query<TraceSummary>(["traces", "--service", "api"])
    return t.length === names.length ? t.map((x) => x.operation).sort() : undefined
  }, "the app's traces upstream")
  expect(upNames).toEqual([...names].sort())
  // the sink: the same spans and the log, nothing else
  await waitFor(() => s.spans.size === names.length && s.logs.includes("forwarded log"), "the sink to receive everything", 15_000)
  expect([...s.spans].sort()).toEqual([...names].sort())
  expect(s.headers.every((h) => h === "secret-123")).toBe(true)
  // the second devrig over gRPC: the same traces (ids and names) and the log
  const upTraces = (await up.query<TraceSummary>(["traces", "--service", "api"])).map((t) => [t.traceId, t.operation]).sort()
  const downTraces = await waitFor(async () => {
    const t = (await down.query<TraceSummary>(["traces", "--service", "api"])).map((x) => [x.traceId, x.operation]).sort()
    return t.length === names.length ? t : undefined
  }, "the second devrig's traces")
  expect(downTraces).toEqual(upTraces)
  expect((await down.query<LogRecord>(["logs", "--service", "api", "--source", "otlp"])).map((l) => l.body)).toEqual(["forwarded log"])
  // counted in query status; the API key is masked in validate
  const [status] = await up.query<{ collector: CollectorCounters }>(["status"])
  const fwd = status!.collector.forward!
  expect(fwd.map((f) => [f.endpoint, f.protocol])).toEqual([[`grpc://127.0.0.1:${down.ports.grpc}`, "grpc"], [`http://127.0.0.1:${s.port}`, "http/protobuf"]])
  for (const f of fwd) expect(f).toMatchObject({ failed: 0, dropped: 0, queued: 0 })
  expect(fwd[1]!.sent).toBe(s.requests)
  const validate = await up.p.run(["validate", "--json"])
  expect(validate.stdout).toContain('"x-api-key": "****"')
  expect(validate.stdout).not.toContain("secret-123")
  s.stop()
  await up.finish()
  await down.finish()
}, { timeout: 120_000 })

test("with the downstream down ingest keeps its speed and memory stays bounded; forwarding resumes when it is back", async () => {
  const s = sink(await freePort())
  const rig = await forwarding("fwdq", `[services.idle]\ncommand = "sleep 600"\n`, `forward = [{ endpoint = "http://127.0.0.1:${s.port}", queue_size = 20 }]\ntrace_buffer = 200`)
  const pid = rig.supervisorPid!
  const N = 300
  const PAD = 64 * 1024
  /** ms per request (only the time inside the requests counts) */
  const timed = async (label: string, n: number, between?: (sent: number) => Promise<unknown>) => {
    let ms = 0
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      await post(rig.ports.http, traceRequest(`${label} ${i}`, PAD))
      ms += performance.now() - t0
      if (between && (i + 1) % 10 === 0) await between(i + 1)
    }
    return ms / n
  }
  // downstream up: everything arrives. Sent in tens, each ten received before the next, so a
  // sink slowed by a busy machine never lets the 20-request queue overflow (that would be the
  // drop-oldest rule at work, tested below, not a loss).
  const upMs = await timed("up", N, (sent) => waitFor(() => s.spans.size === sent, `the sink to receive ${sent}`, 30_000))
  await waitFor(() => s.spans.size === N, "the sink to receive the first batch", 30_000)
  const [first] = await rig.query<{ collector: CollectorCounters }>(["status"])
  expect(first!.collector.forward![0]).toMatchObject({ sent: N, dropped: 0, failed: 0 })
  const rss0 = rssKb(pid)
  // downstream down: 64 MiB more goes by; the queue holds at most 20 requests (~1.3 MiB) and
  // the store its 200 traces, so memory must not grow by anything like that
  s.stop()
  const DOWN = 1000
  const downMs = await timed("down", DOWN)
  const rss1 = rssKb(pid)
  // four more rounds: garbage the GC has not collected yet levels off; a queue that kept
  // everything would grow by 64 MiB a round (256 MiB in all)
  for (let round = 2; round <= 5; round++) await timed(`down${round}`, DOWN)
  const rss3 = rssKb(pid)
  const [mid] = await rig.query<{ collector: CollectorCounters }>(["status"])
  const f = mid!.collector.forward![0]!
  console.log(`ingest of 64 KiB requests: ${upMs.toFixed(2)} ms each with the downstream up (${N}), ${downMs.toFixed(2)} ms with it down (${DOWN}); supervisor RSS ${Math.round(rss0 / 1024)} → ${Math.round(rss1 / 1024)} → ${Math.round(rss3 / 1024)} MiB; ${JSON.stringify(f)}`)
  expect(downMs).toBeLessThan(upMs * 2 + 1)
  expect(f.queued).toBeLessThanOrEqual(20)
  // every request of the outage is accounted for: dropped, failed after its retries, still queued,
  // or in the one batch being retried right now (at most a queue's worth)
  expect(f.dropped + f.failed + f.queued).toBeGreaterThanOrEqual(5 * DOWN - 20)
  expect(f.dropped).toBeGreaterThan(4 * DOWN)
  expect(f.lastError).toBeDefined()
  expect(rss3 - rss1).toBeLessThan(128 * 1024) // KiB, while 256 MiB more went by
  // back up: what arrives now is forwarded again (the sink receives the new spans)
  s.start()
  await post(rig.ports.http, traceRequest("after recovery"))
  await waitFor(() => s.spans.has("after recovery"), "forwarding to resume", 30_000, 100)
  const [after] = await rig.query<{ collector: CollectorCounters }>(["status"])
  expect(after!.collector.forward![0]!.sent).toBeGreaterThan(f.sent)
  s.stop()
  await rig.finish()
})
