// The real OpenTelemetry JS SDK exporters over gRPC and HTTP/JSON, with and without gzip, against
// the compiled binary: `devrig start -d` of a project whose [dashboard] writes no ports (devrig
// picks them and reports them in `ps --json`), then `devrig query` shows exactly what was sent —
// trace and span ids (hex on the JSON wire, where a base64 mix-up would silently corrupt them),
// names, parent links, attributes of every type, events, log bodies with their trace context,
// and metric values. (http/protobuf reaches the binary in test/e2e and test/integration/beyond.)
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api"
import { SeverityNumber } from "@opentelemetry/api-logs"
import { OTLPLogExporter as GrpcLogs } from "@opentelemetry/exporter-logs-otlp-grpc"
import { OTLPLogExporter as JsonLogs } from "@opentelemetry/exporter-logs-otlp-http"
import { OTLPMetricExporter as GrpcMetrics } from "@opentelemetry/exporter-metrics-otlp-grpc"
import { OTLPMetricExporter as JsonMetrics } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter as GrpcTraces } from "@opentelemetry/exporter-trace-otlp-grpc"
import { OTLPTraceExporter as JsonTraces } from "@opentelemetry/exporter-trace-otlp-http"
import { resourceFromAttributes } from "@opentelemetry/resources"
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs"
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { LogRecord, MetricInfo, MetricSeries, NumberPoint, TraceDetail, TraceSummary } from "../../../src/server/api-types.ts"
import { assertCleanedUp, isAlive, killLeftovers, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"

type Transport = "grpc" | "http/json"

let p: Project
let ports: { port: number; grpcPort: number; httpPort: number }
let sup: number | undefined

beforeAll(async () => {
  p = project("otelbin", `[services.idle]\ncommand = "sleep 600"\n\n# no ports written: devrig picks the defaults or the next free ones\n[dashboard]\n`)
  await startDetached(p)
  sup = p.supervisorPid()
  const ps = await p.ps()
  expect(ps.running).toBe(true)
  ports = (ps as unknown as { dashboard: typeof ports }).dashboard
  expect(ports.grpcPort).toBeGreaterThan(0)
  expect(ports.httpPort).toBeGreaterThan(0)
}, 60_000)

afterAll(async () => {
  try {
    await stop(p)
    // the dashboard and OTLP sockets are the supervisor's: it being gone releases them
    await assertCleanedUp(p, [], sup)
    expect(isAlive(sup)).toBe(false)
  } finally {
    killLeftovers()
  }
}, 60_000)

const url = (t: Transport, signal: string) => (t === "grpc" ? `http://127.0.0.1:${ports.grpcPort}` : `http://127.0.0.1:${ports.httpPort}/v1/${signal}`)
const compression = (gzip: boolean) => (gzip ? "gzip" : "none") as never

/** `devrig query …` in the project, NDJSON parsed. */
async function query<T>(...args: string[]): Promise<T[]> {
  const r = await p.run(["query", ...args])
  if (r.exitCode !== 0) throw new Error(`query ${args.join(" ")} exited ${r.exitCode}: ${r.stderr}`)
  return r.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T)
}

for (const transport of ["grpc", "http/json"] as Transport[]) {
  for (const gzip of [false, true]) {
    const service = `svc-${transport.replace("/", "-")}${gzip ? "-gzip" : ""}`
    describe(`OTel SDK over ${transport}${gzip ? " + gzip" : ""} → dist/devrig → devrig query`, () => {
      test("traces: ids, parent links, names, kinds, attributes, events and status", async () => {
        const exporter = transport === "grpc" ? new GrpcTraces({ url: url(transport, "traces"), compression: compression(gzip) }) : new JsonTraces({ url: url(transport, "traces"), compression: compression(gzip) })
        const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ "service.name": service, "deployment.environment": "dev" }), spanProcessors: [new BatchSpanProcessor(exporter)] })
        const tracer = provider.getTracer("exporter-test", "2.0.0")
        const t0 = Date.now() - 1000
        const root = tracer.startSpan("POST /orders", { kind: SpanKind.SERVER, startTime: t0, attributes: { "http.request.method": "POST", "http.response.status_code": 201, big: 2 ** 40, ratio: 0.25, ok: true, tags: ["a", "b"] } })
        const child = tracer.startSpan("db.insert", { kind: SpanKind.CLIENT, startTime: t0 + 5, attributes: { "db.system": "postgresql" } }, trace.setSpan(context.active(), root))
        child.addEvent("retry", { attempt: 2 }, t0 + 10)
        child.setStatus({ code: SpanStatusCode.ERROR, message: "deadlock" })
        child.end(t0 + 30)
        root.end(t0 + 42)
        await provider.forceFlush()
        await provider.shutdown()

        const { traceId, spanId } = root.spanContext()
        const summaries = await waitFor(async () => {
          const s = await query<TraceSummary>("traces", "--service", service)
          return s.length ? s : undefined
        }, `the trace of ${service}`)
        expect(summaries.map((s) => s.traceId)).toEqual([traceId])
        expect(summaries[0]).toMatchObject({ service, operation: "POST /orders", duration_ms: 42, status: "error", spans: 2 })

        const [detail] = await query<TraceDetail>("trace", traceId)
        expect(detail!.traceId).toBe(traceId)
        const [r, c] = detail!.spans_detail
        expect([r!.name, c!.name]).toEqual(["POST /orders", "db.insert"])
        expect(r!.spanId).toBe(spanId)
        expect(r!.parentSpanId).toBeUndefined()
        expect(c!.spanId).toBe(child.spanContext().spanId)
        expect(c!.parentSpanId).toBe(spanId)
        expect([r!.kind, c!.kind]).toEqual(["server", "client"])
        expect(r!.attributes).toEqual({ "http.request.method": "POST", "http.response.status_code": 201, big: 2 ** 40, ratio: 0.25, ok: true, tags: ["a", "b"] })
        expect(detail!.resources[r!.resourceIndex]!.attributes["deployment.environment"]).toBe("dev")
        expect(r!.scope).toEqual({ name: "exporter-test", version: "2.0.0" })
        expect(c!.status).toEqual({ code: "error", message: "deadlock" })
        expect(c!.events.map((e) => [e.name, e.attributes])).toEqual([["retry", { attempt: 2 }]])
      })

      test("logs: bodies, severities, attributes and the trace context they were emitted in", async () => {
        const exporter = transport === "grpc" ? new GrpcLogs({ url: url(transport, "logs"), compression: compression(gzip) }) : new JsonLogs({ url: url(transport, "logs"), compression: compression(gzip) })
        const provider = new LoggerProvider({ resource: resourceFromAttributes({ "service.name": service }), processors: [new BatchLogRecordProcessor({ exporter } as never)] })
        const logger = provider.getLogger("app", "0.1.0")
        const traceId = crypto.getRandomValues(new Uint8Array(16)).toHex()
        const spanId = crypto.getRandomValues(new Uint8Array(8)).toHex()
        const traced = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: 1 })
        const now = Date.now()
        logger.emit({ timestamp: now - 20, severityNumber: SeverityNumber.INFO, severityText: "INFO", body: "order created", attributes: { "order.id": 42, "user.name": "ada" } })
        logger.emit({ timestamp: now - 10, severityNumber: SeverityNumber.ERROR, severityText: "ERROR", body: "payment declined", context: traced })
        await provider.forceFlush()
        await provider.shutdown()

        const logs = await waitFor(async () => {
          const l = await query<LogRecord>("logs", "--service", service)
          return l.length >= 2 ? l : undefined
        }, `the logs of ${service}`)
        expect(logs.map((l) => [l.body, l.level, l.severityNumber])).toEqual([
          ["payment declined", "error", 17],
          ["order created", "info", 9],
        ])
        expect(logs[1]!.attributes).toEqual({ "order.id": 42, "user.name": "ada" })
        expect(logs[1]!.traceId).toBeUndefined()
        expect([logs[0]!.traceId, logs[0]!.spanId]).toEqual([traceId, spanId])
        const byTrace = await query<LogRecord>("logs", "--trace-id", traceId)
        expect(byTrace.map((l) => l.body)).toEqual(["payment declined"])
      })

      test("metrics: names, attributes and values", async () => {
        const exporter = transport === "grpc" ? new GrpcMetrics({ url: url(transport, "metrics"), compression: compression(gzip) }) : new JsonMetrics({ url: url(transport, "metrics"), compression: compression(gzip) })
        const provider = new MeterProvider({ resource: resourceFromAttributes({ "service.name": service }), readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })] })
        const meter = provider.getMeter("app")
        // names of their own: the listing's `services` is every service that sent a metric name
        const [ordersName, depthName] = [`${service}.orders.created`, `${service}.queue.depth`]
        const orders = meter.createCounter(ordersName, { unit: "{order}" })
        orders.add(3, { region: "eu" })
        orders.add(2, { region: "eu" })
        orders.add(1, { region: "us" })
        meter.createGauge(depthName).record(17)
        await provider.forceFlush()
        await provider.shutdown()

        const names = await waitFor(async () => {
          const m = await query<MetricInfo>("metrics", "--service", service)
          return m.length >= 2 ? m : undefined
        }, `the metrics of ${service}`)
        expect(names.map((m) => [m.name, m.type, m.services])).toEqual([
          [ordersName, "sum", [service]],
          [depthName, "gauge", [service]],
        ])
        const series = await query<MetricSeries>("metrics", "--name", ordersName, "--service", service)
        expect(Object.fromEntries(series.map((s) => [s.attributes.region, (s.points.at(-1) as NumberPoint).value]))).toEqual({ eu: 5, us: 1 })
        const [gauge] = await query<MetricSeries>("metrics", "--name", depthName, "--service", service)
        expect((gauge!.points.at(-1) as NumberPoint).value).toBe(17)
      })
    })
  }
}
