/**
 * The one entry point the supervisor calls: start the store, the REST API + dashboard on the
 * dashboard port, and both OTLP receivers; stop() releases all three ports.
 */
import type { ResolvedDashboard } from "../config/resolved.ts"
import { bindPort } from "../otel/ports.ts"
import { startOtlpGrpc, type GrpcReceiver } from "../otel/receiver-grpc.ts"
import { startOtlpHttp } from "../otel/receiver-http.ts"
import { TelemetryStore } from "../otel/store.ts"
import { Forwarder } from "../otel/forward.ts"
import type { DashboardInfo } from "../status.ts"
import { createApp, type App } from "./app.ts"
import type { Controller, UiHandler } from "./controller.ts"
import { WsHub } from "./ws-hub.ts"

export interface TelemetryOptions {
  dashboard: ResolvedDashboard
  controller: Controller
  ui?: UiHandler
  /** the per-run token (src/project/token.ts); undefined only with `[dashboard] auth = false` */
  token: string | undefined
  /** default 127.0.0.1 */
  hostname?: string
}

export interface Telemetry {
  dashboard: DashboardInfo
  /** e.g. "dashboard port 4000 is in use; using 4001 instead" */
  notices: string[]
  store: TelemetryStore
  hub: WsHub
  /** what the API requires (TelemetryOptions.token) */
  token: string | undefined
  stop(): Promise<void>
}

export async function startTelemetry(opts: TelemetryOptions): Promise<Telemetry> {
  const d = opts.dashboard
  const hostname = opts.hostname ?? "127.0.0.1"
  const store = new TelemetryStore({
    traceBuffer: d.traceBuffer,
    metricBuffer: d.metricBuffer,
    logBuffer: d.logBuffer,
    retentionMs: d.retentionMs,
    maxBytes: d.maxBytes,
    attributes: {
      ...(d.attributeValueLengthLimit !== undefined ? { valueLength: d.attributeValueLengthLimit } : {}),
      ...(d.attributeCountLimit !== undefined ? { count: d.attributeCountLimit } : {}),
      ...(d.logBodyLengthLimit !== undefined ? { bodyLength: d.logBodyLengthLimit } : {}),
    },
  })
  // Forwarding: receivers hand each accepted request to the forwarder; its counters join the
  // collector's (query status, the dashboard) without the store knowing about it.
  const forwarder = d.forward?.length ? new Forwarder(d.forward) : undefined
  const onReceived = forwarder ? forwarder.forward.bind(forwarder) : undefined
  if (forwarder) {
    const counters = store.counters.bind(store)
    store.counters = () => ({ ...counters(), forward: forwarder.counters() })
  }
  const hub = new WsHub(store, opts.controller)
  const stops: (() => Promise<void> | void)[] = [() => forwarder?.stop(), () => hub.stop()]
  const stopAll = async () => {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {})
  }
  const notices: string[] = []
  let selfPort: number | undefined
  const guard = { token: opts.token, port: () => selfPort }
  try {
    const api = await bindPort<App>({
      label: "dashboard",
      port: d.port,
      explicit: d.explicit.port,
      bind: async (port) => {
        const app = createApp({ store, controller: opts.controller, hub, ui: opts.ui, guard })
        // Elysia defaults to SO_REUSEPORT, which would let a second devrig share a taken port silently
        app.listen({ port, hostname, reusePort: false, development: false })
        selfPort = app.server!.port!
        return { value: app, port: selfPort }
      },
    })
    stops.push(async () => {
      await api.value.stop(true)
    })
    if (api.notice) notices.push(api.notice)

    const grpc = await bindPort<GrpcReceiver>({
      label: "OTLP gRPC",
      port: d.grpcPort,
      explicit: d.explicit.grpcPort,
      bind: async (port) => {
        const r = await startOtlpGrpc(store, port, hostname, onReceived)
        return { value: r, port: r.port }
      },
    })
    stops.push(() => grpc.value.stop())
    if (grpc.notice) notices.push(grpc.notice)

    const http = await bindPort({
      label: "OTLP HTTP",
      port: d.httpPort,
      explicit: d.explicit.httpPort,
      bind: async (port) => {
        const s = startOtlpHttp(store, port, hostname, { corsOrigins: d.corsOrigins, onReceived })
        return { value: s, port: s.port! }
      },
    })
    stops.push(() => http.value.stop(true))
    if (http.notice) notices.push(http.notice)

    return {
      dashboard: { url: `http://127.0.0.1:${api.port}`, port: api.port, grpcPort: grpc.port, httpPort: http.port, auth: opts.token !== undefined },
      notices,
      store,
      hub,
      token: opts.token,
      stop: stopAll,
    }
  } catch (e) {
    await stopAll()
    throw e
  }
}
