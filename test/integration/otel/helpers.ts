// Shared test scaffolding: a telemetry stack on OS-assigned ports with a fake controller, and
// a check that a port is free again after stop().
import { createServer } from "node:net"
import type { Controller } from "../../../src/server/controller.ts"
import { randomBytes } from "node:crypto"
import { startTelemetry, type Telemetry } from "../../../src/server/start.ts"
import type { Action, ComponentStatus, StatusSnapshot } from "../../../src/status.ts"
import { InputError } from "../../../src/errors.ts"

export interface FakeController extends Controller {
  actions: [string, Action][]
  emit(component: ComponentStatus): void
}

export function fakeController(): FakeController {
  const listeners = new Set<(e: { type: "status"; component: ComponentStatus }) => void>()
  const actions: [string, Action][] = []
  const components: ComponentStatus[] = [{ name: "api", kind: "service", state: "running", restarts: 0, port: 3000 }]
  return {
    actions,
    status: (): StatusSnapshot => ({
      project: { name: "demo", id: "abc123", slug: "demo-abc123", configPath: "/tmp/devrig.toml" },
      supervisorPid: process.pid,
      components,
    }),
    env: (service?: string) => {
      const all = { api: { PORT: "3000", SECRET: "****" } } as Record<string, Record<string, string>>
      if (service === undefined) return all
      const vars = all[service]
      if (!vars) throw new InputError(`unknown service ${service}`)
      return vars
    },
    action: async (name, action) => {
      if (name !== "api") throw new InputError(`unknown service ${name}`)
      actions.push([name, action])
    },
    config: () => ({ path: "/tmp/devrig.toml", source: "[services.api]\n", problems: [] }),
    subscribe: (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    emit: (component) => {
      for (const l of listeners) l({ type: "status", component })
    },
  }
}

export interface Limits {
  traceBuffer?: number
  metricBuffer?: number
  logBuffer?: number
  retentionMs?: number
}

/** The stacks of these tests require a token, as devrig's own does. */
export const TEST_TOKEN = randomBytes(16).toString("hex")

/** Authorization header for the REST API (and the WebSocket: Bun's client takes headers). */
export const authHeaders = (t: Telemetry): Record<string, string> => (t.token ? { authorization: `Bearer ${t.token}` } : {})

export async function startStack(limits: Limits = {}, controller: Controller = fakeController()): Promise<Telemetry> {
  return startTelemetry({
    controller,
    token: TEST_TOKEN,
    dashboard: {
      enabled: true,
      port: 0,
      grpcPort: 0,
      httpPort: 0,
      explicit: { port: false, grpcPort: false, httpPort: false },
      traceBuffer: limits.traceBuffer ?? 10_000,
      metricBuffer: limits.metricBuffer ?? 50_000,
      logBuffer: limits.logBuffer ?? 100_000,
      retentionMs: limits.retentionMs ?? 3_600_000,
      auth: true,
      corsOrigins: [],
    },
  })
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once("error", () => resolve(false))
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)))
  })
}

export async function stopAndCheck(t: Telemetry): Promise<boolean> {
  await t.stop()
  const ports = [t.dashboard.port, t.dashboard.grpcPort, t.dashboard.httpPort]
  const free = await Promise.all(ports.map(portIsFree))
  if (!free.every(Boolean)) console.error("ports still bound:", ports.filter((_, i) => !free[i]), t.dashboard)
  return free.every(Boolean)
}

export async function getJson<T>(t: Telemetry, path: string): Promise<T> {
  const res = await fetch(t.dashboard.url + path, { headers: authHeaders(t) })
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

export type Transport = "grpc" | "http/protobuf" | "http/json"
export const TRANSPORTS: Transport[] = ["grpc", "http/protobuf", "http/json"]

export function endpoint(t: Telemetry, transport: Transport, signal: "traces" | "metrics" | "logs"): string {
  return transport === "grpc" ? `http://127.0.0.1:${t.dashboard.grpcPort}` : `http://127.0.0.1:${t.dashboard.httpPort}/v1/${signal}`
}
