// The overview shows each forwarding endpoint's counters, live: a request forwarded to a
// reachable endpoint counts as sent; one to an endpoint that is down shows its error.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { create, toBinary } from "@bufbuild/protobuf"
import { type Browser, chromium } from "playwright-core"
import { ExportTraceServiceRequestSchema } from "../../src/otel/gen/trace_service_pb.ts"
import { startTelemetry, type Telemetry } from "../../src/server/start.ts"
import { uiHandler } from "../../src/server/ui.ts"
import { demoController } from "./harness.ts"
import { freePort } from "../helpers/ports.ts"
import { CHROMIUM_ARGS } from "./fixture.ts"

let telemetry: Telemetry
let browser: Browser
let sink: ReturnType<typeof Bun.serve>
let deadPort: number

beforeAll(async () => {
  sink = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") })
  deadPort = await freePort()
  telemetry = await startTelemetry({
    controller: demoController(),
    token: undefined,
    ui: uiHandler,
    dashboard: {
      enabled: true,
      port: 0,
      grpcPort: 0,
      httpPort: 0,
      explicit: { port: false, grpcPort: false, httpPort: false },
      traceBuffer: 100,
      metricBuffer: 100,
      logBuffer: 100,
      retentionMs: 3_600_000,
      auth: false,
      corsOrigins: [],
      forward: [
        { endpoint: `http://127.0.0.1:${sink.port}`, protocol: "http/protobuf", headers: {}, queueSize: 10 },
        { endpoint: `http://127.0.0.1:${deadPort}`, protocol: "http/protobuf", headers: {}, queueSize: 10 },
      ],
    },
  })
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS })
})

afterAll(async () => {
  await browser?.close()
  await telemetry?.stop()
  sink?.stop(true)
})

test("forwarding counters on the overview: sent to the live endpoint, the error of the dead one", async () => {
  const page = await browser.newPage()
  await page.goto(telemetry.dashboard.url)
  await page.waitForSelector("[data-testid=stat-forward]")
  const body = toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ scopeSpans: [{ spans: [{ name: "x", traceId: new Uint8Array(16).fill(3), spanId: new Uint8Array(8).fill(4) }] }] }] }))
  const res = await fetch(`http://127.0.0.1:${telemetry.dashboard.httpPort}/v1/traces`, { method: "POST", body, headers: { "content-type": "application/x-protobuf" } })
  expect(res.status).toBe(200)
  const boxes = page.locator("[data-testid=stat-forward]")
  await page.waitForFunction(() => document.querySelector("[data-testid=stat-forward]")?.textContent?.includes("1 sent"), undefined, { timeout: 15_000 })
  expect(await boxes.count()).toBe(2)
  expect(await boxes.nth(0).textContent()).toContain(`http://127.0.0.1:${sink.port}`)
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=stat-forward]")[1]?.textContent?.includes("last error"), undefined, { timeout: 15_000 })
  expect(await boxes.nth(1).textContent()).toContain("0 sent")
  await page.close()
})
