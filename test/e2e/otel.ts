// Sends realistic telemetry to a devrig collector with the real OpenTelemetry JS SDK (OTLP/HTTP
// protobuf): multi-service traces with explicit timings, logs with and without trace context,
// and metrics (histogram, counter, gauge).
import { context, type Context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api"
import { SeverityNumber } from "@opentelemetry/api-logs"
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto"
import { resourceFromAttributes } from "@opentelemetry/resources"
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs"
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"

interface Providers {
  traces: BasicTracerProvider
  logs: LoggerProvider
  metrics: MeterProvider
}

export interface SpanSpec {
  service: string
  name: string
  /** ms after the trace start */
  start: number
  duration: number
  kind?: SpanKind
  error?: string
  attributes?: Record<string, string | number | boolean>
  events?: { name: string; at: number; attributes?: Record<string, string | number> }[]
  children?: SpanSpec[]
}

export interface LogSpec {
  service: string
  level: "trace" | "debug" | "info" | "warn" | "error" | "fatal"
  body: string
  traceId?: string
  spanId?: string
  time?: number
  attributes?: Record<string, string | number | boolean>
}

const SEVERITY = { trace: SeverityNumber.TRACE, debug: SeverityNumber.DEBUG, info: SeverityNumber.INFO, warn: SeverityNumber.WARN, error: SeverityNumber.ERROR, fatal: SeverityNumber.FATAL }

export class OtelClient {
  private providers = new Map<string, Providers>()
  constructor(private readonly httpPort: number) {}

  private url(signal: string) {
    return `http://127.0.0.1:${this.httpPort}/v1/${signal}`
  }

  private for(service: string): Providers {
    let p = this.providers.get(service)
    if (p) return p
    const resource = resourceFromAttributes({ "service.name": service, "service.version": "1.4.2", "host.name": "devbox" })
    p = {
      traces: new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: this.url("traces") }), { scheduledDelayMillis: 50 })] }),
      logs: new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: this.url("logs") }), scheduledDelayMillis: 50 })] }),
      metrics: new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: this.url("metrics") }), exportIntervalMillis: 60_000 })] }),
    }
    this.providers.set(service, p)
    return p
  }

  /** Emits a span tree; returns the trace id and every span id by name. */
  trace(root: SpanSpec, at = Date.now() - root.duration): { traceId: string; spans: Record<string, string> } {
    const spans: Record<string, string> = {}
    let traceId = ""
    const emit = (s: SpanSpec, ctx: Context) => {
      const tracer = this.for(s.service).traces.getTracer("devrig-e2e", "1.0.0")
      const span: Span = tracer.startSpan(s.name, { kind: s.kind ?? SpanKind.INTERNAL, startTime: at + s.start, attributes: s.attributes }, ctx)
      traceId = span.spanContext().traceId
      spans[s.name] = span.spanContext().spanId
      for (const e of s.events ?? []) span.addEvent(e.name, e.attributes ?? {}, at + e.at)
      if (s.error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: s.error })
        span.addEvent("exception", { "exception.type": "Error", "exception.message": s.error }, at + s.start + s.duration)
      }
      const child = trace.setSpan(ctx, span)
      for (const c of s.children ?? []) emit(c, child)
      span.end(at + s.start + s.duration)
    }
    emit(root, context.active())
    return { traceId, spans }
  }

  log(spec: LogSpec) {
    const logger = this.for(spec.service).logs.getLogger("devrig-e2e")
    const ctx = spec.traceId && spec.spanId ? trace.setSpanContext(context.active(), { traceId: spec.traceId, spanId: spec.spanId, traceFlags: 1 }) : undefined
    logger.emit({
      severityNumber: SEVERITY[spec.level],
      severityText: spec.level.toUpperCase(),
      body: spec.body,
      timestamp: spec.time ?? Date.now(),
      attributes: spec.attributes,
      context: ctx,
    })
  }

  /** Records `n` request durations (histogram), a request counter and a gauge for a service. */
  requests(service: string, durations: number[], route = "/api/orders") {
    const meter = this.for(service).metrics.getMeter("devrig-e2e")
    const h = meter.createHistogram("http.server.duration", { unit: "ms", description: "Duration of inbound HTTP requests" })
    const c = meter.createCounter("http.server.requests", { description: "Inbound HTTP requests" })
    for (const d of durations) {
      h.record(d, { "http.route": route, "http.method": "GET" })
      c.add(1, { "http.route": route })
    }
    const g = meter.createObservableGauge("process.memory.usage", { unit: "By", description: "Resident memory" })
    g.addCallback((r) => r.observe(60_000_000 + Math.round(Math.random() * 8_000_000)))
  }

  async flush() {
    await Promise.all([...this.providers.values()].flatMap((p) => [p.traces.forceFlush(), p.logs.forceFlush(), p.metrics.forceFlush()]))
  }

  async shutdown() {
    await Promise.all([...this.providers.values()].flatMap((p) => [p.traces.shutdown(), p.logs.shutdown(), p.metrics.shutdown()]))
  }
}

/** A realistic checkout request across three services (optionally failing at the database). */
export function checkout(opts: { fail?: boolean; slow?: number } = {}): SpanSpec {
  const db = 18 + (opts.slow ?? 0)
  return {
    service: "web",
    name: "GET /checkout",
    start: 0,
    duration: 120 + db,
    kind: SpanKind.SERVER,
    attributes: { "http.method": "GET", "http.route": "/checkout", "http.status_code": opts.fail ? 500 : 200 },
    children: [
      { service: "web", name: "render cart", start: 4, duration: 11 },
      {
        service: "api",
        name: "POST /orders",
        start: 18,
        duration: 90 + db,
        kind: SpanKind.SERVER,
        attributes: { "http.method": "POST", "http.route": "/orders", "http.status_code": opts.fail ? 500 : 201 },
        events: [{ name: "order.validated", at: 30, attributes: { items: 3 } }],
        error: opts.fail ? "insert into orders failed: deadlock detected" : undefined,
        children: [
          { service: "api", name: "auth.verify", start: 21, duration: 6 },
          { service: "api", name: "SELECT inventory", start: 30, duration: 14, kind: SpanKind.CLIENT, attributes: { "db.system": "postgresql", "db.statement": "SELECT * FROM inventory WHERE sku = $1" } },
          { service: "api", name: "INSERT orders", start: 48, duration: db, kind: SpanKind.CLIENT, attributes: { "db.system": "postgresql" }, error: opts.fail ? "deadlock detected" : undefined },
          { service: "worker", name: "publish order.created", start: 52 + db, duration: 22, kind: SpanKind.PRODUCER, children: [{ service: "worker", name: "send email", start: 60 + db, duration: 12 }] },
        ],
      },
    ],
  }
}

/** A wide trace with `n` spans (for the render benchmark). */
export function wide(n: number): SpanSpec {
  const children: SpanSpec[] = []
  for (let i = 1; i < n; i++) children.push({ service: ["api", "worker", "db"][i % 3]!, name: `step ${i}`, start: i * 2, duration: 5 + (i % 17) })
  return { service: "api", name: "GET /report", start: 0, duration: n * 2 + 30, kind: SpanKind.SERVER, children }
}
