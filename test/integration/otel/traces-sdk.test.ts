// Real OpenTelemetry JS SDK trace exporters (gRPC, http/protobuf, http/json; gzip on/off)
// against the in-process receivers: what was sent is what the REST API returns.
import { describe, expect, test } from "bun:test"
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api"
import { resourceFromAttributes } from "@opentelemetry/resources"
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base"
import { OTLPTraceExporter as GrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc"
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto"
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http"
import type { TraceDetail, TraceSummary } from "../../../src/server/api-types.ts"
import { endpoint, getJson, startStack, stopAndCheck, TRANSPORTS, type Transport } from "./helpers.ts"

function exporter(transport: Transport, url: string, gzip: boolean): SpanExporter {
  const compression = (gzip ? "gzip" : "none") as never
  if (transport === "grpc") return new GrpcExporter({ url, compression })
  if (transport === "http/protobuf") return new ProtoExporter({ url, compression })
  return new JsonExporter({ url, compression })
}

// recent and whole-second: the receivers keep sender timestamps, and `from` filters assume clocks roughly agree
const T0 = Math.floor(Date.now() / 1000) * 1000 - 60_000

for (const transport of TRANSPORTS) {
  for (const gzip of [false, true]) {
    describe(`traces over ${transport}${gzip ? " + gzip" : ""}`, () => {
      test("spans arrive with ids, tree, attributes, events, status and durations intact", async () => {
        const t = await startStack()
        try {
          const provider = new BasicTracerProvider({
            resource: resourceFromAttributes({ "service.name": "api", "deployment.environment": "dev" }),
            spanProcessors: [new BatchSpanProcessor(exporter(transport, endpoint(t, transport, "traces"), gzip))],
          })
          const tracer = provider.getTracer("test-scope", "1.2.3")
          const root = tracer.startSpan("POST /users", {
            kind: SpanKind.SERVER,
            startTime: T0,
            attributes: { "http.request.method": "POST", "http.response.status_code": 201, big: 2 ** 40, ratio: 0.25, ok: true, tags: ["a", "b"] },
          })
          const ctx = trace.setSpan(context.active(), root)
          const child = tracer.startSpan("db.insert", { kind: SpanKind.CLIENT, startTime: T0 + 5, attributes: { "db.system": "postgresql" } }, ctx)
          child.addEvent("retry", { attempt: 2 }, T0 + 10)
          child.setStatus({ code: SpanStatusCode.ERROR, message: "deadlock" })
          child.end(T0 + 30)
          root.end(T0 + 42)
          // a second trace with an HTTP 5xx server span and no explicit error status
          const failing = tracer.startSpan("GET /boom", { kind: SpanKind.SERVER, startTime: T0 + 100, attributes: { "http.response.status_code": 503 } })
          failing.end(T0 + 250)
          await provider.forceFlush()
          await provider.shutdown()

          const rootId = root.spanContext()
          const traces = await getJson<TraceSummary[]>(t, "/api/traces")
          expect(traces.map((x) => x.traceId).sort()).toEqual([rootId.traceId, failing.spanContext().traceId].sort())
          const summary = traces.find((x) => x.traceId === rootId.traceId)!
          expect(summary).toMatchObject({ service: "api", operation: "POST /users", duration_ms: 42, status: "error", spans: 2 })
          expect(summary.timestamp).toBe(new Date(T0).toISOString())

          const boom = traces.find((x) => x.traceId === failing.spanContext().traceId)!
          expect(boom).toMatchObject({ status: "error", duration_ms: 150, operation: "GET /boom" })

          const detail = await getJson<TraceDetail>(t, `/api/traces/${rootId.traceId}`)
          expect(detail.spans_detail.map((s) => s.name)).toEqual(["POST /users", "db.insert"])
          const [r, c] = detail.spans_detail
          expect(r!.spanId).toBe(rootId.spanId)
          expect(r!.parentSpanId).toBeUndefined()
          expect(r!.kind).toBe("server")
          expect(r!.attributes).toEqual({ "http.request.method": "POST", "http.response.status_code": 201, big: 2 ** 40, ratio: 0.25, ok: true, tags: ["a", "b"] })
          expect(detail.resources[r!.resourceIndex]!.attributes["deployment.environment"]).toBe("dev")
          expect(r!.scope).toEqual({ name: "test-scope", version: "1.2.3" })
          expect(r!.children).toEqual([child.spanContext().spanId])
          expect(c!.parentSpanId).toBe(rootId.spanId)
          expect(c!.depth).toBe(1)
          expect(c!.kind).toBe("client")
          expect(c!.duration_ms).toBe(25)
          expect(c!.status).toEqual({ code: "error", message: "deadlock" })
          expect(c!.events).toHaveLength(1)
          expect(c!.events[0]).toMatchObject({ name: "retry", attributes: { attempt: 2 }, timestamp: new Date(T0 + 10).toISOString() })

          const errors = await getJson<TraceSummary[]>(t, "/api/traces?status=error&minDuration=100ms")
          expect(errors.map((x) => x.traceId)).toEqual([failing.spanContext().traceId])
          const byName = await getJson<TraceSummary[]>(t, "/api/traces?search=DB.INSERT")
          expect(byName.map((x) => x.traceId)).toEqual([rootId.traceId])
        } finally {
          expect(await stopAndCheck(t)).toBe(true)
        }
      })
    })
  }
}
