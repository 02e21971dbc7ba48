/**
 * OTLP/HTTP receiver (POST /v1/traces, /v1/metrics, /v1/logs) on Bun.serve. Protobuf and
 * OTLP/JSON bodies, gzip/deflate, CORS for browser exporters. Untrusted input can only ever
 * produce a 4xx: nothing here throws past the handler.
 *
 * SDK exporters send no Origin and need no token. Browsers do: only pages on a loopback origin
 * (any port: the user's own web app) or on `[dashboard.otel] cors_origins` may send, and they
 * get their own origin back, never `*`. The Host must name loopback (DNS rebinding).
 */
import { create, toBinary, toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf"
import { collectSoon, decodeJson, decodeProto, decompress, encodeRpcStatus, HTTP_MAX_BYTES, OtlpError, readCapped } from "./decode.ts"
import { ingestLogs, ingestMetrics, ingestTraces } from "./ingest.ts"
import { ingestTraceBytes } from "./wire-spans.ts"
import { ingestLogBytes } from "./wire-logs.ts"
import type { TelemetryStore } from "./store.ts"
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema } from "./gen/trace_service_pb.ts"
import { ExportLogsServiceRequestSchema, ExportLogsServiceResponseSchema } from "./gen/logs_service_pb.ts"
import { ExportMetricsServiceRequestSchema, ExportMetricsServiceResponseSchema } from "./gen/metrics_service_pb.ts"

interface Route {
  request: DescMessage
  response: DescMessage
  ingest: (store: TelemetryStore, msg: MessageShape<DescMessage>) => number
  /** protobuf bodies straight from their bytes, when the signal has a wire reader */
  ingestBytes?: (store: TelemetryStore, body: Uint8Array) => number
}

function route<Req extends DescMessage>(
  request: Req,
  response: DescMessage,
  ingest: (store: TelemetryStore, msg: MessageShape<Req>) => number,
  ingestBytes?: Route["ingestBytes"],
): Route {
  return { request, response, ingest: ingest as Route["ingest"], ingestBytes }
}

const ROUTES: Record<string, Route> = {
  "/v1/traces": route(ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema, ingestTraces, ingestTraceBytes),
  "/v1/metrics": route(ExportMetricsServiceRequestSchema, ExportMetricsServiceResponseSchema, ingestMetrics),
  "/v1/logs": route(ExportLogsServiceRequestSchema, ExportLogsServiceResponseSchema, ingestLogs, ingestLogBytes),
}

const CORS_COMMON = {
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "content-type, content-encoding, authorization, x-requested-with, traceparent",
  "access-control-max-age": "86400",
  vary: "Origin",
}

type Headers = Record<string, string>

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"])

function originOf(text: string): string | undefined {
  try {
    const u = new URL(text)
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : undefined
  } catch {
    return undefined
  }
}

function hostAllowed(req: Request): boolean {
  const host = (req.headers.get("host") ?? "").trim().toLowerCase()
  if (!host) return true // HTTP/1.0 without Host: not a browser
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, "")
  return LOOPBACK.has(name)
}

/**
 * The CORS headers for this request's Origin, {} without one (not a browser), or undefined
 * when the origin may not send.
 */
function corsFor(req: Request, allowed: Set<string>): Headers | undefined {
  const raw = req.headers.get("origin")
  if (raw === null) return {}
  const origin = originOf(raw)
  if (!origin) return undefined // "null" (sandboxed frames, file://) and other schemes
  if (!LOOPBACK.has(new URL(origin).hostname) && !allowed.has(origin)) return undefined
  return { ...CORS_COMMON, "access-control-allow-origin": origin }
}

export interface OtlpHttpOptions {
  maxBytes?: number
  /** `[dashboard.otel] cors_origins`: origins allowed besides loopback */
  corsOrigins?: string[]
  /** hears every accepted request (forwarding) */
  onReceived?: OnReceived
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

function errorResponse(status: number, code: number, message: string, format: Format | undefined, CORS: Headers = {}): Response {
  const msg = message.length > 1000 ? message.slice(0, 1000) + "…" : message
  if (format === "proto") {
    return new Response(encodeRpcStatus(code, msg) as Uint8Array<ArrayBuffer>, { status, headers: { ...CORS, "content-type": "application/x-protobuf" } })
  }
  return Response.json({ code, message: msg }, { status, headers: CORS })
}

// google.rpc.Code PERMISSION_DENIED
const PERMISSION_DENIED = 7

/** Hears every accepted request as protobuf bytes (forwarding); must return at once. */
export type OnReceived = (signal: "traces" | "metrics" | "logs", body: Uint8Array) => void

export function createOtlpHttpHandler(store: TelemetryStore, opts: OtlpHttpOptions = {}) {
  const maxBytes = opts.maxBytes ?? HTTP_MAX_BYTES
  const onReceived = opts.onReceived
  const allowed = new Set((opts.corsOrigins ?? []).map(originOf).filter((o): o is string => !!o))
  return async function handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname
    const route = ROUTES[path]
    if (!hostAllowed(req)) {
      store.rejectedRequests++
      return errorResponse(403, PERMISSION_DENIED, "Host must be localhost, 127.0.0.1 or [::1]", "json")
    }
    const CORS = corsFor(req, allowed)
    if (!CORS) {
      store.rejectedRequests++
      return errorResponse(403, PERMISSION_DENIED, `origin ${req.headers.get("origin")} may not send telemetry; add it to [dashboard.otel] cors_origins`, "json")
    }
    if (req.method === "OPTIONS") return new Response(null, { status: route ? 204 : 404, headers: CORS })
    if (!route) return errorResponse(404, 5, `unknown path ${path}; OTLP/HTTP accepts /v1/traces, /v1/metrics, /v1/logs`, "json", CORS)
    if (req.method !== "POST") {
      return new Response(JSON.stringify({ code: 12, message: "use POST" }), {
        status: 405,
        headers: { ...CORS, allow: "POST, OPTIONS", "content-type": "application/json" },
      })
    }
    const format = formatOf(req.headers.get("content-type"))
    if (!format) {
      store.rejectedRequests++
      return errorResponse(415, INVALID_ARGUMENT, "Content-Type must be application/x-protobuf or application/json", "json", CORS)
    }
    try {
      const declared = Number(req.headers.get("content-length") ?? "0")
      if (declared > maxBytes) throw new OtlpError("too_large", `request body exceeds ${maxBytes} bytes`)
      const raw = await readCapped(req.body, maxBytes, declared)
      const body = await decompress(raw, req.headers.get("content-encoding"), maxBytes)
      if (format === "proto" && route.ingestBytes) collectSoon(body.byteLength, route.ingestBytes(store, body))
      else {
        const msg = format === "proto" ? decodeProto(route.request, body) : decodeJson(route.request, body)
        collectSoon(body.byteLength, route.ingest(store, msg))
        // protobuf is passed on as received; only JSON needs encoding
        if (format === "json") onReceived?.(path.slice(4) as "traces", toBinary(route.request, msg))
      }
      if (format === "proto") onReceived?.(path.slice(4) as "traces", body)
      if (format === "proto") {
        return new Response(toBinary(route.response, create(route.response)) as Uint8Array<ArrayBuffer>, {
          headers: { ...CORS, "content-type": "application/x-protobuf" },
        })
      }
      return Response.json(toJson(route.response, create(route.response)), { headers: CORS })
    } catch (e) {
      store.rejectedRequests++
      if (e instanceof OtlpError) {
        if (e.kind === "too_large") return errorResponse(413, RESOURCE_EXHAUSTED, e.message, format, CORS)
        if (e.kind === "unsupported") return errorResponse(415, INVALID_ARGUMENT, e.message, format, CORS)
        return errorResponse(400, INVALID_ARGUMENT, e.message, format, CORS)
      }
      return errorResponse(500, 13, `internal error: ${(e as Error)?.message ?? e}`, format, CORS)
    }
  }
}

export function startOtlpHttp(store: TelemetryStore, port: number, hostname = "127.0.0.1", opts: OtlpHttpOptions = {}) {
  const handle = createOtlpHttpHandler(store, opts)
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
