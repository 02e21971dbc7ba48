/**
 * OTLP/HTTP receiver (POST /v1/traces, /v1/metrics, /v1/logs) on Bun.serve. Protobuf and
 * OTLP/JSON bodies, gzip/deflate, CORS for browser exporters. Untrusted input can only ever
 * produce a 4xx: nothing here throws past the handler.
 */
import { create, toBinary, toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf"
import { collectSoon, decodeJson, decodeProto, decompress, encodeRpcStatus, HTTP_MAX_BYTES, OtlpError, readCapped } from "./decode.ts"
import { ingestLogs, ingestMetrics, ingestTraces } from "./ingest.ts"
import type { TelemetryStore } from "./store.ts"
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema } from "./gen/trace_service_pb.ts"
import { ExportLogsServiceRequestSchema, ExportLogsServiceResponseSchema } from "./gen/logs_service_pb.ts"
import { ExportMetricsServiceRequestSchema, ExportMetricsServiceResponseSchema } from "./gen/metrics_service_pb.ts"

interface Route {
  request: DescMessage
  response: DescMessage
  ingest: (store: TelemetryStore, msg: MessageShape<DescMessage>) => number
}

function route<Req extends DescMessage>(
  request: Req,
  response: DescMessage,
  ingest: (store: TelemetryStore, msg: MessageShape<Req>) => number,
): Route {
  return { request, response, ingest: ingest as Route["ingest"] }
}

const ROUTES: Record<string, Route> = {
  "/v1/traces": route(ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema, ingestTraces),
  "/v1/metrics": route(ExportMetricsServiceRequestSchema, ExportMetricsServiceResponseSchema, ingestMetrics),
  "/v1/logs": route(ExportLogsServiceRequestSchema, ExportLogsServiceResponseSchema, ingestLogs),
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "content-type, content-encoding, authorization, x-requested-with, traceparent",
  "access-control-max-age": "86400",
}

type Format = "proto" | "json"

function formatOf(contentType: string | null): Format | undefined {
  const ct = (contentType ?? "").split(";")[0]!.trim().toLowerCase()
  if (ct === "application/x-protobuf" || ct === "application/protobuf") return "proto"
  if (ct === "application/json") return "json"
  return undefined
}

// grpc status codes used in google.rpc.Status bodies
const INVALID_ARGUMENT = 3
const RESOURCE_EXHAUSTED = 8

function errorResponse(status: number, code: number, message: string, format: Format | undefined): Response {
  const msg = message.length > 1000 ? message.slice(0, 1000) + "…" : message
  if (format === "proto") {
    return new Response(encodeRpcStatus(code, msg) as Uint8Array<ArrayBuffer>, { status, headers: { ...CORS, "content-type": "application/x-protobuf" } })
  }
  return Response.json({ code, message: msg }, { status, headers: CORS })
}

export function createOtlpHttpHandler(store: TelemetryStore, maxBytes = HTTP_MAX_BYTES) {
  return async function handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname
    const route = ROUTES[path]
    if (req.method === "OPTIONS") return new Response(null, { status: route ? 204 : 404, headers: CORS })
    if (!route) return errorResponse(404, 5, `unknown path ${path}; OTLP/HTTP accepts /v1/traces, /v1/metrics, /v1/logs`, "json")
    if (req.method !== "POST") {
      return new Response(JSON.stringify({ code: 12, message: "use POST" }), {
        status: 405,
        headers: { ...CORS, allow: "POST, OPTIONS", "content-type": "application/json" },
      })
    }
    const format = formatOf(req.headers.get("content-type"))
    if (!format) {
      store.rejectedRequests++
      return errorResponse(415, INVALID_ARGUMENT, "Content-Type must be application/x-protobuf or application/json", "json")
    }
    try {
      const declared = Number(req.headers.get("content-length") ?? "0")
      if (declared > maxBytes) throw new OtlpError("too_large", `request body exceeds ${maxBytes} bytes`)
      const raw = await readCapped(req.body, maxBytes, declared)
      const body = await decompress(raw, req.headers.get("content-encoding"), maxBytes)
      const msg = format === "proto" ? decodeProto(route.request, body) : decodeJson(route.request, body)
      collectSoon(body.byteLength, route.ingest(store, msg))
      if (format === "proto") {
        return new Response(toBinary(route.response, create(route.response)) as Uint8Array<ArrayBuffer>, {
          headers: { ...CORS, "content-type": "application/x-protobuf" },
        })
      }
      return Response.json(toJson(route.response, create(route.response)), { headers: CORS })
    } catch (e) {
      store.rejectedRequests++
      if (e instanceof OtlpError) {
        if (e.kind === "too_large") return errorResponse(413, RESOURCE_EXHAUSTED, e.message, format)
        if (e.kind === "unsupported") return errorResponse(415, INVALID_ARGUMENT, e.message, format)
        return errorResponse(400, INVALID_ARGUMENT, e.message, format)
      }
      return errorResponse(500, 13, `internal error: ${(e as Error)?.message ?? e}`, format)
    }
  }
}

export function startOtlpHttp(store: TelemetryStore, port: number, hostname = "127.0.0.1") {
  const handle = createOtlpHttpHandler(store)
  const server = Bun.serve({
    port,
    hostname,
    // leave room above the cap so our own check answers with the OTLP 413 body
    maxRequestBodySize: HTTP_MAX_BYTES + 1024 * 1024,
    fetch: handle,
    error: (e) => errorResponse(500, 13, `internal error: ${e.message}`, "json"),
  })
  return server
}
