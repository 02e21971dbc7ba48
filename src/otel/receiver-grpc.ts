/**
 * OTLP/gRPC receiver: ConnectRPC's node adapter (gRPC protocol only) on node:http2, which Bun
 * implements well enough for grpc-js clients (trailers, gzip). readMaxBytes must be set: the
 * default is 4 GiB. Connect enforces it on the decompressed message too.
 */
import http2 from "node:http2"
import type { AddressInfo } from "node:net"
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect"
import { connectNodeAdapter } from "@connectrpc/connect-node"
import { collectSoon, GRPC_MAX_BYTES, OtlpError } from "./decode.ts"
import { ingestMetrics } from "./ingest.ts"
import type { TelemetryStore } from "./store.ts"
import { TraceService } from "./gen/trace_service_pb.ts"
import { LogsService } from "./gen/logs_service_pb.ts"
import { ExportMetricsServiceRequestSchema, MetricsService } from "./gen/metrics_service_pb.ts"
import { create, createFileRegistry, toBinary, type DescMessage, type DescMethod, type DescService, type MessageShape } from "@bufbuild/protobuf"
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt"
import { ingestResourceSpans } from "./wire-spans.ts"
import { ingestResourceLogs } from "./wire-logs.ts"
import type { OnReceived } from "./receiver-http.ts"

function routes(store: TelemetryStore, onReceived?: OnReceived) {
  const guard = <T>(fn: () => T): T => {
    try {
      return fn()
    } catch (e) {
      store.rejectedRequests++
      if (e instanceof OtlpError && e.kind === "invalid") throw new ConnectError(e.message, Code.InvalidArgument)
      throw new ConnectError(`internal error: ${(e as Error)?.message ?? e}`, Code.Internal)
    }
  }
  return (router: ConnectRouter) => {
    // Connect hands over decoded messages: forwarding re-encodes them (only when configured)
    const fwd = <D extends DescMessage>(signal: "traces" | "metrics" | "logs", schema: D, req: MessageShape<D>) => onReceived?.(signal, toBinary(schema, req))
    const accept =
      <D extends DescMessage>(signal: "traces" | "metrics" | "logs", schema: D, ingest: (req: MessageShape<D>) => number) =>
      async (req: MessageShape<D>) => {
        const n = guard(() => ingest(req))
        fwd(signal, schema, req)
        collectSoon(0, n)
        return {}
      }
    // spans and log records are read from the request's bytes (wire-spans.ts, wire-logs.ts)
    const raw = (signal: "traces" | "logs", ingest: (store: TelemetryStore, items: Uint8Array[]) => number) => async (req: RawExport) => {
      const n = guard(() => ingest(store, req.items))
      onReceived?.(signal, toBinary(RawExportSchema, req as never))
      collectSoon(0, n)
      return {}
    }
    // the method's input type is RawExport now, which the generic service type cannot say
    router.service(rawInput(TraceService), { export: raw("traces", ingestResourceSpans) } as never)
    router.service(rawInput(LogsService), { export: raw("logs", ingestResourceLogs) } as never)
    router.service(MetricsService, { export: accept("metrics", ExportMetricsServiceRequestSchema, (req) => ingestMetrics(store, req)) })
  }
}

/**
 * An export request as Connect should parse it for the wire readers: field 1 (ResourceSpans,
 * ResourceLogs) kept as bytes. `repeated bytes` and `repeated message` share a wire format, so
 * protobuf-es only slices the request, and wire-spans.ts / wire-logs.ts read the slices.
 */
const RawExportSchema = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "devrig/raw_export.proto",
    package: "devrig.raw",
    syntax: "proto3",
    messageType: [{ name: "RawExport", field: [{ name: "items", jsonName: "items", number: 1, type: FieldDescriptorProto_Type.BYTES, label: FieldDescriptorProto_Label.REPEATED }] }],
  }),
  () => undefined,
).getMessage("devrig.raw.RawExport")!

interface RawExport {
  items: Uint8Array[]
}

/** The service with its one method's input read as RawExport (its path and output unchanged). */
function rawInput(service: DescService): DescService {
  const m = service.methods[0]!
  const raw = { ...m, input: RawExportSchema } as DescMethod
  return { ...service, methods: [raw], method: { [m.localName]: raw } }
}

export interface GrpcReceiver {
  port: number
  stop(): Promise<void>
}

export function startOtlpGrpc(store: TelemetryStore, port: number, hostname = "127.0.0.1", onReceived?: OnReceived): Promise<GrpcReceiver> {
  const handler = connectNodeAdapter({
    routes: routes(store, onReceived),
    grpc: true,
    grpcWeb: false,
    connect: false,
    readMaxBytes: GRPC_MAX_BYTES,
  })
  // Larger frames and flow-control windows than HTTP/2's defaults (16 KiB frames, 64 KiB
  // windows): a 4 MiB export then arrives in a few frames without waiting for WINDOW_UPDATEs,
  // and Bun's http2 layer does its per-frame work a few times instead of hundreds.
  const server = http2.createServer({ settings: { maxFrameSize: 1024 * 1024, initialWindowSize: GRPC_MAX_BYTES } }, (req, res) => {
    correctStatus(res, store)
    handler(req, res)
  })
  const sessions = new Set<http2.ServerHttp2Session>()
  server.on("session", (session) => {
    sessions.add(session)
    try {
      session.setLocalWindowSize(4 * GRPC_MAX_BYTES)
    } catch {
      // not every http2 implementation supports resizing the connection window
    }
    // a client that resets its connection mid-request must not take the process down
    session.on("error", () => {})
    session.on("close", () => sessions.delete(session))
  })
  server.on("sessionError", () => {})
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.close()
      reject(e)
    }
    server.once("error", onError)
    server.listen(port, hostname, () => {
      server.off("error", onError)
      server.on("error", () => {})
      resolve({
        port: (server.address() as AddressInfo).port,
        stop: () =>
          new Promise<void>((res) => {
            server.close(() => res())
            // close() waits for open sessions, and exporters keep theirs alive
            for (const s of sessions) s.destroy()
            // ...and then for every client to close its side of the TCP connection: a hung
            // exporter held `devrig stop` until the CLI's 120 s SIGKILL. The listener is closed
            // already (the port is free), so waiting longer buys nothing.
            setTimeout(res, 1000).unref()
          }),
      })
    })
  })
}

type Headers = Record<string, unknown> | undefined

/**
 * INTERNAL statuses Connect raises for the client's bytes: an unparseable message ("parse
 * binary …") or a body that is not valid gzip ("decompression failed", found by fuzzing).
 */
const CLIENT_FAULT = /^(parse binary|decompression failed)/

/**
 * Connect reports an unparseable (or undecompressable) message as INTERNAL; for a receiver it is the
 * client's fault (INVALID_ARGUMENT, so exporters do not retry it). The status travels in the
 * trailers, or in the headers of a trailers-only response, so both are patched.
 */
function correctStatus(res: http2.Http2ServerResponse, store: TelemetryStore): void {
  const fix = (h: Headers): Headers => {
    const status = h?.["grpc-status"]
    if (status === undefined || status === "0") return h
    store.rejectedRequests++
    const msg = typeof h!["grpc-message"] === "string" ? decodeURIComponent(h!["grpc-message"] as string) : ""
    return status === String(Code.Internal) && CLIENT_FAULT.test(msg) ? { ...h, "grpc-status": String(Code.InvalidArgument) } : h
  }
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: Headers) => unknown
  res.writeHead = ((status: number, headers?: Headers) => writeHead(status, fix(headers))) as typeof res.writeHead
  const addTrailers = res.addTrailers.bind(res)
  res.addTrailers = (h) => addTrailers(fix(h as Headers) as http2.OutgoingHttpHeaders)
}
