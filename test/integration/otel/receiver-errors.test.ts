// Hostile and broken input to the OTLP receivers: every case gets a 4xx (or gRPC status)
// with a message, nothing is stored, and the receivers keep serving afterwards.
import { describe, expect, test } from "bun:test"
import http2 from "node:http2"
import { gzipSync } from "node:zlib"
import { create, toBinary } from "@bufbuild/protobuf"
import { createClient, ConnectError, Code } from "@connectrpc/connect"
import { createGrpcTransport } from "@connectrpc/connect-node"
import { ExportTraceServiceRequestSchema, TraceService } from "../../../src/otel/gen/trace_service_pb.ts"
import { LogsService } from "../../../src/otel/gen/logs_service_pb.ts"
import type { StatusResponse } from "../../../src/server/api-types.ts"
import { getJson, startStack, stopAndCheck } from "./helpers.ts"

function validTraceRequest(): Uint8Array {
  return toBinary(
    ExportTraceServiceRequestSchema,
    create(ExportTraceServiceRequestSchema, {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue", value: "api" } } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: new Uint8Array(16).fill(7),
                  spanId: new Uint8Array(8).fill(3),
                  name: "GET /",
                  startTimeUnixNano: 1_000_000_000n,
                  endTimeUnixNano: 2_000_000_000n,
                  attributes: [{ key: "payload", value: { value: { case: "stringValue", value: "x".repeat(200) } } }],
                },
              ],
            },
          ],
        },
      ],
    }),
  )
}

// deterministic "random" bytes: a fixed LCG so the case is reproducible
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = 12345
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff
    out[i] = x >> 16
  }
  return out
}

async function post(port: number, body: Uint8Array | string, headers: Record<string, string>, path = "/v1/traces") {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", body: body as BodyInit, headers })
  return { status: res.status, text: await res.text(), headers: res.headers }
}

describe("OTLP/HTTP error paths", () => {
  test("malformed, oversized and hostile bodies are refused with a message; service continues", async () => {
    const t = await startStack()
    const port = t.dashboard.httpPort
    const proto = { "content-type": "application/x-protobuf" }
    const json = { "content-type": "application/json" }
    try {
      const valid = validTraceRequest()
      const truncated = await post(port, valid.slice(0, valid.length - 40), proto)
      expect(truncated.status).toBe(400)
      expect(truncated.text).toContain("malformed protobuf")

      const random = await post(port, noise(4096), proto)
      expect(random.status).toBe(400)

      const badJson = await post(port, '{"resourceSpans": [', json)
      expect(badJson.status).toBe(400)
      expect(JSON.parse(badJson.text)).toMatchObject({ code: 3 })
      const wrongShape = await post(port, '{"resourceSpans": 5}', json)
      expect(wrongShape.status).toBe(400)
      expect(JSON.parse(wrongShape.text).message).toContain("ExportTraceServiceRequest")

      // 1 GiB of zeros compresses to ~1 MiB; the cap stops inflation at 20 MiB
      const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 })
      const before = process.memoryUsage().rss
      const bombed = await post(port, bomb, { ...proto, "content-encoding": "gzip" })
      expect(bombed.status).toBe(413)
      expect(bombed.text).toContain("decompressed body exceeds")
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024)

      const notGzip = await post(port, noise(100), { ...proto, "content-encoding": "gzip" })
      expect(notGzip.status).toBe(400)
      const brotli = await post(port, valid, { ...proto, "content-encoding": "br" })
      expect(brotli.status).toBe(415)

      const oversized = await post(port, new Uint8Array(21 * 1024 * 1024), proto)
      expect(oversized.status).toBe(413)

      const wrongType = await post(port, valid, { "content-type": "text/plain" })
      expect(wrongType.status).toBe(415)
      const unknownPath = await post(port, valid, proto, "/v1/profiles")
      expect(unknownPath.status).toBe(404)

      const empty = await post(port, new Uint8Array(0), proto)
      expect(empty.status).toBe(200)
      const emptyJson = await post(port, "{}", json, "/v1/logs")
      expect(emptyJson.status).toBe(200)
      expect(JSON.parse(emptyJson.text)).toEqual({})

      const preflight = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
        method: "OPTIONS",
        headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" },
      })
      expect(preflight.status).toBe(204)
      // a loopback origin (the user's own web app) gets itself back, never "*"
      expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173")
      expect(preflight.headers.get("access-control-allow-headers")).toContain("content-encoding")
      // any other site is refused, without CORS headers
      const foreign = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      })
      expect(foreign.status).toBe(403)
      expect(foreign.headers.get("access-control-allow-origin")).toBeNull()

      const ok = await post(port, gzipSync(valid), { ...proto, "content-encoding": "gzip" })
      expect(ok.status).toBe(200)
      expect(ok.headers.get("access-control-allow-origin")).toBeNull() // an SDK exporter: no Origin, no CORS
      const status = await getJson<StatusResponse>(t, "/api/status")
      expect(status.collector.traces).toMatchObject({ received: 1, stored: 1, traceCount: 1 })
      expect(status.collector.rejectedRequests).toBe(10)
    } finally {
      expect(await stopAndCheck(t)).toBe(true)
    }
  })
})

/** One raw gRPC unary call over node:http2, so tests can send frames no client would build. */
function rawGrpc(port: number, payload: Uint8Array, compressed: boolean): Promise<{ grpcStatus: string | undefined; message: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`)
    session.on("error", reject)
    const headers: http2.OutgoingHttpHeaders = {
      ":method": "POST",
      ":path": "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
      "content-type": "application/grpc+proto",
      te: "trailers",
    }
    if (compressed) headers["grpc-encoding"] = "gzip"
    const req = session.request(headers)
    let status: string | undefined
    let message: string | undefined
    const take = (h: http2.IncomingHttpHeaders) => {
      status ??= h["grpc-status"] as string | undefined
      message ??= h["grpc-message"] as string | undefined
    }
    req.on("response", take)
    req.on("trailers", take)
    req.on("data", () => {})
    req.on("end", () => {
      session.close()
      resolve({ grpcStatus: status, message: message && decodeURIComponent(message) })
    })
    req.on("error", reject)
    const frame = new Uint8Array(5 + payload.length)
    frame[0] = compressed ? 1 : 0
    new DataView(frame.buffer).setUint32(1, payload.length)
    frame.set(payload, 5)
    req.end(frame)
  })
}

describe("OTLP/gRPC error paths", () => {
  test("truncated, random, oversized and gzip-bomb messages get gRPC errors; the server stays up", async () => {
    const t = await startStack()
    const port = t.dashboard.grpcPort
    try {
      const valid = validTraceRequest()
      const truncated = await rawGrpc(port, valid.slice(0, valid.length - 40), false)
      expect(truncated.grpcStatus).toBe(String(Code.InvalidArgument))
      expect(truncated.message).toBeTruthy()
      const random = await rawGrpc(port, noise(4096), false)
      expect(random.grpcStatus).toBe(String(Code.InvalidArgument))

      const bomb = await rawGrpc(port, gzipSync(Buffer.alloc(64 * 1024 * 1024)), true)
      expect(bomb.grpcStatus).toBe(String(Code.ResourceExhausted))

      const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` })
      const traces = createClient(TraceService, transport)
      const big = {
        resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(1), name: "x".repeat(5 * 1024 * 1024) }] }] }],
      }
      const tooBig = await traces.export(big).catch((e) => e)
      expect(tooBig).toBeInstanceOf(ConnectError)
      expect((tooBig as ConnectError).code).toBe(Code.ResourceExhausted)

      // empty requests are a success, and valid data still flows after all of the above
      await traces.export(create(ExportTraceServiceRequestSchema, {}))
      await createClient(LogsService, transport).export({})
      const ok = await rawGrpc(port, gzipSync(valid), true)
      expect(ok.grpcStatus).toBe("0")
      const status = await getJson<StatusResponse>(t, "/api/status")
      expect(status.collector.traces).toMatchObject({ received: 1, stored: 1 })
    } finally {
      expect(await stopAndCheck(t)).toBe(true)
    }
  })
})
