// Minimal OpenTelemetry setup for the example services: traces, metrics and logs exported over
// OTLP/HTTP (protobuf) to whatever OTEL_EXPORTER_OTLP_ENDPOINT devrig injected.
import { context, propagation, trace, type Span, SpanStatusCode } from "@opentelemetry/api"
import { logs, SeverityNumber } from "@opentelemetry/api-logs"
import { W3CTraceContextPropagator } from "@opentelemetry/core"
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto"
import { resourceFromAttributes } from "@opentelemetry/resources"
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs"
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks"

const service = process.env.OTEL_SERVICE_NAME ?? "example"
const enabled = !!process.env.OTEL_EXPORTER_OTLP_ENDPOINT
const resource = resourceFromAttributes({ "service.name": service })

const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: enabled ? [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 })] : [] })
trace.setGlobalTracerProvider(tracerProvider)
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
propagation.setGlobalPropagator(new W3CTraceContextPropagator())
const meterProvider = new MeterProvider({ resource, readers: enabled ? [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 2000 })] : [] })
const loggerProvider = new LoggerProvider({ resource, processors: enabled ? [new BatchLogRecordProcessor(new OTLPLogExporter(), { scheduledDelayMillis: 500 })] : [] })
logs.setGlobalLoggerProvider(loggerProvider)

export const tracer = trace.getTracer(service)
export const meter = meterProvider.getMeter(service)
const logger = loggerProvider.getLogger(service)
const duration = meter.createHistogram("http.server.duration", { unit: "ms", description: "HTTP request duration" })

export function log(level: "info" | "warn" | "error", body: string, attributes: Record<string, string | number> = {}) {
  const severity = { info: SeverityNumber.INFO, warn: SeverityNumber.WARN, error: SeverityNumber.ERROR }[level]
  logger.emit({ body, severityNumber: severity, severityText: level.toUpperCase(), attributes, context: context.active() })
  console.log(`${level} ${body}`)
}

/** Wraps a request handler in a server span continuing the caller's trace. */
export function traced(handler: (req: Request, span: Span) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    const parent = propagation.extract(context.active(), Object.fromEntries(req.headers))
    const url = new URL(req.url)
    const started = performance.now()
    return tracer.startActiveSpan(`${req.method} ${url.pathname}`, { kind: 1, attributes: { "http.method": req.method, "http.route": url.pathname } }, parent, async (span) => {
      try {
        const res = await handler(req, span)
        span.setAttribute("http.status_code", res.status)
        if (res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
        return res
      } catch (e) {
        span.recordException(e as Error)
        span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message })
        log("error", `request failed: ${(e as Error).message}`)
        return new Response("internal error", { status: 500 })
      } finally {
        duration.record(performance.now() - started, { "http.route": url.pathname })
        span.end()
      }
    })
  }
}

/** fetch with the current trace context propagated, inside a client span. */
export function tracedFetch(url: string): Promise<Response> {
  return tracer.startActiveSpan(`GET ${new URL(url).pathname}`, { kind: 2 }, async (span) => {
    const headers: Record<string, string> = {}
    propagation.inject(context.active(), headers)
    try {
      const res = await fetch(url, { headers })
      span.setAttribute("http.status_code", res.status)
      if (res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      return res
    } finally {
      span.end()
    }
  })
}
