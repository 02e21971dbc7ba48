// A dashboard backend without the supervisor: the real telemetry stack + REST/WS server with the
// real embedded UI, driven by a fake controller. Used while `devrig start` is being built, and by
// bench/ui.ts. Run directly (`bun test/e2e/harness.ts`) for a live demo with generated telemetry.
import { InputError } from "../../src/errors.ts"
import type { Controller, StatusEvent } from "../../src/server/controller.ts"
import { startTelemetry, type Telemetry } from "../../src/server/start.ts"
import { uiHandler } from "../../src/server/ui.ts"
import type { Action, ComponentState, ComponentStatus } from "../../src/status.ts"
import { checkout, OtelClient } from "./otel.ts"

const CONFIG = `# devrig.toml
[project]
name = "shop"

[services.web]
command = "bun run dev"
port = 3000
depends_on = ["api"]

[services.api]
command = "bun run src/server.ts"
port = 3001
env = { DATABASE_URL = "{{ docker.postgres.url }}" }
depends_on = ["postgres"]

[services.worker]
command = "bun run src/worker.ts"
restart = "sometimes"

[docker.postgres]
image = "postgres:16"
port = 5432

[dashboard]
port = 4000
`

export function demoController(): Controller & { emit(c: ComponentStatus): void } {
  const listeners = new Set<(e: StatusEvent) => void>()
  const started = new Date(Date.now() - 3_725_000).toISOString()
  const components: ComponentStatus[] = [
    { name: "web", kind: "service", state: "running", pid: 41230, port: 3000, url: "http://localhost:3000", startedAt: started, restarts: 0 },
    { name: "api", kind: "service", state: "running", pid: 41231, port: 3001, url: "http://localhost:3001", startedAt: started, restarts: 1 },
    { name: "worker", kind: "service", state: "running", pid: 41232, startedAt: started, restarts: 0 },
    { name: "postgres", kind: "docker", state: "ready", port: 5432, ports: { pg: 5432 }, startedAt: started, restarts: 0, detail: "postgres:16" },
    { name: "redis", kind: "docker", state: "ready", port: 6379, startedAt: started, restarts: 0, detail: "redis:7" },
  ]
  const emit = (c: ComponentStatus) => {
    const i = components.findIndex((x) => x.name === c.name)
    components[i] = c
    for (const l of listeners) l({ type: "status", component: c })
  }
  const set = (name: string, state: ComponentState, extra: Partial<ComponentStatus> = {}) => {
    const c = components.find((x) => x.name === name)!
    emit({ ...c, state, ...extra })
  }
  return {
    emit,
    status: () => ({
      project: { name: "shop", id: "a3f1c9e2", slug: "shop-a3f1c9e2", configPath: "/home/dev/shop/devrig.toml" },
      supervisorPid: process.pid,
      components: components.slice(),
    }),
    env: (service?: string) => {
      const all: Record<string, Record<string, string>> = { api: { PORT: "3001", DATABASE_URL: "postgres://****@localhost:5432/app" } }
      return service ? (all[service] ?? {}) : all
    },
    action: async (name: string, action: Action) => {
      const c = components.find((x) => x.name === name)
      if (!c) throw new InputError(`unknown service ${name}`)
      const up = (restarts = c.restarts) => setTimeout(() => set(name, c.kind === "docker" ? "ready" : "running", { startedAt: new Date().toISOString(), pid: (c.pid ?? 40000) + 7, restarts }), 400)
      if (action === "stop") {
        set(name, "stopping")
        setTimeout(() => set(name, "stopped", { pid: undefined, exitCode: 0 }), 300)
      } else if (action === "start") {
        set(name, "starting")
        up()
      } else {
        set(name, "restarting")
        up(c.restarts + 1)
      }
    },
    config: () => ({ path: "/home/dev/shop/devrig.toml", source: CONFIG, problems: [{ line: 18, column: 11, message: 'restart must be "on-failure", "always" or "never"' }] }),
    subscribe: (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
  }
}

export interface Harness {
  url: string
  httpPort: number
  telemetry: Telemetry
  controller: ReturnType<typeof demoController>
  stop(): Promise<void>
}

export async function startHarness(): Promise<Harness> {
  const controller = demoController()
  const telemetry = await startTelemetry({
    controller,
    ui: uiHandler,
    // the demo harness serves screenshots and a hand-driven browser: no token to paste
    token: undefined,
    dashboard: {
      enabled: true,
      port: 0,
      grpcPort: 0,
      httpPort: 0,
      explicit: { port: false, grpcPort: false, httpPort: false },
      traceBuffer: 10_000,
      metricBuffer: 50_000,
      logBuffer: 100_000,
      retentionMs: 3_600_000,
      auth: false,
      corsOrigins: [],
    },
  })
  return { url: telemetry.dashboard.url, httpPort: telemetry.dashboard.httpPort, telemetry, controller, stop: () => telemetry.stop() }
}

/** Seeds a believable history and keeps a trickle of live data coming. */
export async function seedDemo(otel: OtelClient, minutes = 10) {
  const now = Date.now()
  for (let i = minutes * 6; i > 0; i--) {
    const at = now - i * 10_000
    const fail = i % 9 === 0
    const { traceId, spans } = otel.trace(checkout({ fail, slow: (i * 37) % 90 }), at)
    otel.log({ service: "api", level: "info", body: `POST /orders 201 order=${1000 + i}`, traceId, spanId: spans["POST /orders"], time: at + 100 })
    if (fail) otel.log({ service: "api", level: "error", body: "insert into orders failed: deadlock detected", traceId, spanId: spans["INSERT orders"], time: at + 60, attributes: { "db.system": "postgresql" } })
    otel.log({ service: "worker", level: i % 4 ? "debug" : "warn", body: i % 4 ? `heartbeat queue=orders depth=${i % 7}` : "queue lag above 2s", time: at + 5000 })
  }
  otel.requests("api", Array.from({ length: 200 }, (_, i) => 20 + ((i * 53) % 180)))
  otel.requests("web", Array.from({ length: 80 }, (_, i) => 40 + ((i * 31) % 250)), "/checkout")
  await otel.flush()
}

if (import.meta.main) {
  const h = await startHarness()
  const otel = new OtelClient(h.httpPort)
  await seedDemo(otel)
  console.log(`dashboard: ${h.url}  (OTLP HTTP :${h.httpPort})`)
  let n = 0
  setInterval(async () => {
    const { traceId, spans } = otel.trace(checkout({ fail: ++n % 7 === 0, slow: (n * 13) % 60 }))
    otel.log({ service: "api", level: n % 7 === 0 ? "error" : "info", body: `POST /orders ${n % 7 === 0 ? 500 : 201}`, traceId, spanId: spans["POST /orders"] })
    otel.requests("api", [20 + ((n * 17) % 120)])
    await otel.flush()
  }, 2000)
}
