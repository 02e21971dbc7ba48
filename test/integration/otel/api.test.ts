// The REST API through app.handle (no port), plus the WebSocket and port rules on real ports.
import { describe, expect, test } from "bun:test"
import { createApp } from "../../../src/server/app.ts"
import { TelemetryStore } from "../../../src/otel/store.ts"
import { startTelemetry } from "../../../src/server/start.ts"
import { InputError } from "../../../src/errors.ts"
import { WsHub, MAX_BUFFERED_BYTES, type WsClient } from "../../../src/server/ws-hub.ts"
import type { StatusResponse, WsEvent } from "../../../src/server/api-types.ts"
import { span } from "../../unit/otel/fixtures.ts"
import { authHeaders, fakeController, portIsFree, startStack, stopAndCheck } from "./helpers.ts"

function app(ui?: (r: Request) => Response | undefined) {
  const store = new TelemetryStore({ traceBuffer: 10, metricBuffer: 10, logBuffer: 10, retentionMs: 1e13 })
  const controller = fakeController()
  return { store, controller, app: createApp({ store, controller, ui, guard: { token: undefined, port: () => 4000 } }) }
}

const call = (a: ReturnType<typeof createApp>, path: string, init: RequestInit = {}) => a.handle(new Request(`http://localhost${path}`, init))

describe("REST API", () => {
  test("unknown /api paths and ids are JSON 404s, never HTML", async () => {
    const { app: a } = app(() => new Response("<html>ui</html>", { headers: { "content-type": "text/html" } }))
    for (const [method, path] of [
      ["GET", "/api/nope"],
      ["GET", "/api"],
      ["POST", "/api/nope"],
      ["GET", "/api/traces/0123456789abcdef0123456789abcdef"],
      ["GET", "/api/traces/not-an-id/related"],
      ["POST", "/api/services/api/explode"],
    ] as const) {
      const res = await call(a, path, { method })
      expect(res.status).toBe(404)
      expect(res.headers.get("content-type")).toContain("application/json")
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND")
    }
    const ui = await call(a, "/traces?traceId=abc")
    expect(await ui.text()).toBe("<html>ui</html>")
  })

  test("bad query parameters are 400 with the reason", async () => {
    const { app: a } = app()
    for (const q of ["/api/traces?minDuration=fast", "/api/logs?level=loud", "/api/logs?from=yesterday", "/api/metrics?name=x&last=5"]) {
      const res = await call(a, q)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/invalid/)
    }
  })

  test("hostile Host or Origin is refused with 403; local ones act", async () => {
    const { app: a, controller } = app()
    const evilOrigin = await call(a, "/api/services/api/restart", { method: "POST", headers: { origin: "https://evil.example" } })
    expect(evilOrigin.status).toBe(403)
    const nullOrigin = await call(a, "/api/services/api/stop", { method: "POST", headers: { origin: "null" } })
    expect(nullOrigin.status).toBe(403)
    const rebound = await a.handle(new Request("http://attacker.example:4000/api/services/api/start", { method: "POST" }))
    expect(rebound.status).toBe(403)
    const rebindRead = await call(a, "/api/env", { headers: { host: "attacker.example:4000" } })
    expect(rebindRead.status).toBe(403)
    const wsEvil = await call(a, "/api/ws", { headers: { origin: "http://evil.example", upgrade: "websocket" } })
    expect(wsEvil.status).toBe(403)
    // another port of loopback is another origin (a dev server of the user's, say)
    for (const origin of ["http://localhost:3000", "http://127.0.0.1:4001", "https://127.0.0.1:4000"])
      expect((await call(a, "/api/services/api/stop", { method: "POST", headers: { origin } })).status, origin).toBe(403)
    expect((await call(a, "/api/logs", { headers: { "sec-fetch-site": "same-site" } })).status).toBe(403)
    expect(controller.actions).toEqual([])

    const ok = await call(a, "/api/services/api/restart", { method: "POST", headers: { origin: "http://127.0.0.1:4000" } })
    expect(await ok.json()).toEqual({ ok: true, name: "api", action: "restart" })
    const unknown = await call(a, "/api/services/ghost/start", { method: "POST" })
    expect(unknown.status).toBe(400)
    expect(controller.actions).toEqual([["api", "restart"]])
  })

  test("status carries collector counters; env and config come from the controller", async () => {
    const { app: a, store } = app()
    store.addSpans([span(1, 1)])
    const status = (await (await call(a, "/api/status")).json()) as StatusResponse
    expect(status.project.name).toBe("demo")
    expect(status.components[0]!.name).toBe("api")
    expect(status.collector.traces).toMatchObject({ received: 1, stored: 1, traceCount: 1 })
    expect(status.collector.limits.traceBuffer).toBe(10)
    expect(await (await call(a, "/api/env")).json()).toEqual({ api: { PORT: "3000", SECRET: "****" } })
    expect(await (await call(a, "/api/env/api")).json()).toEqual({ PORT: "3000", SECRET: "****" })
    expect((await call(a, "/api/env/ghost")).status).toBe(400)
    expect(((await (await call(a, "/api/config")).json()) as { path: string }).path).toBe("/tmp/devrig.toml")
  })
})

describe("WebSocket", () => {
  test("pushes hello, status changes and batched telemetry", async () => {
    const controller = fakeController()
    const t = await startStack({}, controller)
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${t.dashboard.port}/api/ws`, { headers: authHeaders(t) } as never)
      const events: WsEvent[] = []
      ws.onmessage = (m) => events.push(JSON.parse(String(m.data)))
      await new Promise((r) => (ws.onopen = r))
      const until = async (type: string) => {
        for (let i = 0; i < 100 && !events.some((e) => e.type === type); i++) await Bun.sleep(20)
        return events.find((e) => e.type === type)
      }
      expect(((await until("hello")) as { status: StatusResponse }).status.project.name).toBe("demo")
      controller.emit({ name: "api", kind: "service", state: "restarting", restarts: 1 })
      expect(await until("status")).toMatchObject({ component: { name: "api", state: "restarting" } })
      t.store.addSpans([span(5, 5)])
      expect(((await until("traces")) as { traces: { spans: number }[] }).traces[0]!.spans).toBe(1)
      ws.close()
    } finally {
      expect(await stopAndCheck(t)).toBe(true)
    }
  })

  test("a client that stops reading is dropped instead of buffering without bound", () => {
    const store = new TelemetryStore({ traceBuffer: 10, metricBuffer: 10, logBuffer: 10, retentionMs: 1e13 })
    const hub = new WsHub(store, undefined)
    let buffered = 0
    const closed: number[] = []
    const stuck: WsClient = { send: (s) => ((buffered += s.length), -1), bufferedAmount: () => buffered, close: (c) => closed.push(c) }
    let got = 0
    const healthy: WsClient = { send: (s) => ((got += 1), s.length), bufferedAmount: () => 0, close: () => {} }
    hub.add(stuck)
    hub.add(healthy)
    const big = "x".repeat(64 * 1024)
    for (let i = 0; i * big.length <= MAX_BUFFERED_BYTES + big.length; i++) hub.broadcast({ type: "logs", logs: [{ body: big } as never] })
    expect(closed).toEqual([1008])
    expect(hub.size).toBe(1)
    hub.broadcast({ type: "collector", collector: store.counters() })
    expect(got).toBeGreaterThan(16)
    hub.stop()
  })
})

describe("ports", () => {
  test("a taken default port moves to the next free one; a taken explicit port is an InputError", async () => {
    const first = await startStack()
    const base = {
      enabled: true,
      traceBuffer: 10,
      metricBuffer: 10,
      logBuffer: 10,
      retentionMs: 1000,
      auth: false,
      corsOrigins: [],
      port: first.dashboard.port,
      grpcPort: first.dashboard.grpcPort,
      httpPort: first.dashboard.httpPort,
    }
    try {
      const moved = await startTelemetry({ controller: fakeController(), token: undefined, dashboard: { ...base, explicit: { port: false, grpcPort: false, httpPort: false } } })
      expect(moved.dashboard.port).not.toBe(first.dashboard.port)
      expect(moved.notices).toHaveLength(3)
      expect(moved.notices[0]).toContain(`dashboard port ${first.dashboard.port} is in use; using ${moved.dashboard.port}`)
      expect(await stopAndCheck(moved)).toBe(true)

      const err = await startTelemetry({
        controller: fakeController(),
        token: undefined,
        dashboard: { ...base, port: 0, explicit: { port: false, grpcPort: true, httpPort: false } },
      }).catch((e) => e)
      expect(err).toBeInstanceOf(InputError)
      expect((err as Error).message).toBe(`OTLP gRPC port ${first.dashboard.grpcPort} is already in use`)
    } finally {
      expect(await stopAndCheck(first)).toBe(true)
    }
    expect(await portIsFree(first.dashboard.port)).toBe(true)
  })
})

describe("the token on dashboard pages", () => {
  const store = new TelemetryStore({ traceBuffer: 10, metricBuffer: 10, logBuffer: 10, retentionMs: 1e13 })
  const ui = () => new Response("<html>ui</html>", { headers: { "content-type": "text/html" } })
  const a = createApp({ store, controller: fakeController(), ui, guard: { token: "tok-123", port: () => 4000 } })
  const get = (path: string, headers: Record<string, string> = {}) => a.handle(new Request(`http://127.0.0.1:4000${path}`, { headers: { host: "127.0.0.1:4000", ...headers } }))

  test("?t= becomes the session cookie and leaves the URL; other parameters stay", async () => {
    const res = await get("/traces?traceId=abc&t=tok-123&spanId=def")
    expect(res.status).toBe(303)
    expect(res.headers.get("location")).toBe("/traces?traceId=abc&spanId=def")
    expect(res.headers.get("set-cookie")).toBe("devrig_4000=tok-123; Path=/; HttpOnly; SameSite=Strict")
    expect(await (await get("/traces?traceId=abc", { cookie: "devrig_4000=tok-123" })).text()).toBe("<html>ui</html>")
  })

  test("without the cookie, or with a wrong ?t=, a page says how to get in", async () => {
    for (const res of [await get("/"), await get("/?t=wrong"), await get("/logs", { cookie: "devrig_4000=wrong" })]) {
      expect(res.status).toBe(401)
      expect(res.headers.get("set-cookie")).toBeNull()
      expect(await res.text()).toContain("devrig ps")
    }
  })
})
