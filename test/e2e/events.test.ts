// Lifecycle event markers (log records of service `devrig` with devrig.event/devrig.component),
// sent with the real OpenTelemetry SDK so the UI is proven independently of who emits them:
// the overview's per-service timeline, the traces timeline, metric charts and the logs view.
import { afterAll, beforeAll, expect, test } from "bun:test"
import type { LogSpec } from "./otel.ts"
import { checkout } from "./otel.ts"
import { type Env, startEnv } from "./fixture.ts"

let env: Env
const T0 = Date.now()

function event(kind: string, component: string, agoMs: number, body: string, extra: Record<string, string | number> = {}, level: LogSpec["level"] = "info") {
  env.otel.log({ service: "devrig", level, body, time: T0 - agoMs, attributes: { "devrig.event": kind, "devrig.component": component, ...extra } })
}

beforeAll(async () => {
  env = await startEnv("events")
  event("start", "worker", 8 * 60_000, "worker started (pid 4100)")
  event("crash", "worker", 4 * 60_000, "worker crashed (exit 1); restarting in 2s", { exit_code: 1, attempt: 1, delay_ms: 2000 }, "error")
  event("restart", "worker", 4 * 60_000 - 2000, "worker restarting (attempt 1)", { attempt: 1 }, "warn")
  event("start", "worker", 4 * 60_000 - 2500, "worker started (pid 4188)")
  event("reload", "web", 2 * 60_000, "devrig.toml changed: restarted web", { reason: "env changed" })
  for (let i = 0; i < 12; i++) env.otel.trace(checkout({ fail: i % 5 === 0 }), T0 - i * 40_000)
  env.otel.requests("worker", Array.from({ length: 40 }, (_, i) => 10 + i * 3))
  await env.otel.flush()
}, 120_000)
afterAll(async () => {
  await env?.teardown()
}, 60_000)

test("the overview shows a timeline per service with its events, and new ones arrive live", async () => {
  const { page } = env
  await page.goto(env.url)
  const crash = page.locator('[data-testid=component-row][data-name="worker"] [data-testid=event-marker][data-kinds~="crash"]')
  await crash.waitFor({ timeout: 10_000 })
  expect(await page.locator('[data-testid=component-row][data-name="web"] [data-testid=event-marker][data-kinds~="reload"]').count()).toBe(1)
  // the web row carries only web's events
  expect(await page.locator('[data-testid=component-row][data-name="web"] [data-testid=event-marker][data-kinds~="crash"]').count()).toBe(0)
  await crash.hover()
  const tip = page.locator("[data-testid=event-tip]")
  await tip.waitFor()
  expect(await tip.textContent()).toContain("worker crashed (exit 1); restarting in 2s")
  expect(await tip.textContent()).toContain("exit_code")
  await env.shot("events-overview")
  await page.mouse.move(0, 0)

  // pushed over the WebSocket: no reload
  env.otel.log({ service: "devrig", level: "info", body: "web stopped (signal SIGTERM)", time: Date.now(), attributes: { "devrig.event": "stop", "devrig.component": "web", signal: "SIGTERM" } })
  await env.otel.flush()
  await page.waitForSelector('[data-testid=component-row][data-name="web"] [data-testid=event-marker][data-kinds~="stop"]', { timeout: 10_000 })
})

test("the traces list timeline marks the events; a marker opens the traces around it", async () => {
  const { page } = env
  await page.goto(`${env.url}/traces`)
  await page.waitForSelector("[data-testid=trace-row]")
  const crash = page.locator('[data-testid=trace-timeline] [data-testid=event-marker][data-kinds~="crash"]')
  await crash.waitFor({ timeout: 10_000 })
  expect(await page.locator("[data-testid=trace-timeline] [data-testid=event-marker]").count()).toBeGreaterThanOrEqual(3)
  await crash.hover()
  await page.locator("[data-testid=event-tip]", { hasText: "worker crashed" }).waitFor()
  await env.shot("events-traces")
  await crash.click()
  await page.waitForFunction(() => new URL(location.href).searchParams.has("from"))
  const u = new URL(page.url())
  const crashAt = T0 - 4 * 60_000
  expect(Math.abs(Date.parse(u.searchParams.get("from")!) - (crashAt - 30_000))).toBeLessThan(5_000)
  expect(Math.abs(Date.parse(u.searchParams.get("to")!) - (crashAt + 30_000))).toBeLessThan(5_000)
})

test("a metric chart draws the chosen service's events", async () => {
  const { page } = env
  await page.goto(`${env.url}/metrics?name=http.server.duration&service=worker`)
  await page.waitForSelector("[data-testid=chart] canvas")
  const crash = page.locator('[data-testid=chart-event] [data-testid=event-marker][data-kinds~="crash"]')
  await crash.waitFor({ timeout: 10_000 })
  // web's reload is not worker's business
  expect(await page.locator('[data-testid=chart-event] [data-testid=event-marker][data-component~="web"]').count()).toBe(0)
  await crash.hover()
  await page.locator("[data-testid=event-tip]", { hasText: "worker crashed" }).waitFor()
  await env.shot("events-metrics")
})

test("the logs view styles lifecycle events apart and filters to them with one chip", async () => {
  const { page } = env
  await page.goto(`${env.url}/logs`)
  await page.waitForSelector('[data-testid=log-row][data-event="crash"]', { timeout: 10_000 })
  const row = page.locator('[data-testid=log-row][data-event="crash"]').first()
  expect(await row.getAttribute("class")).toContain("devrig-event")
  expect(await row.locator("[data-testid=event-badge]").textContent()).toBe("crash")
  expect(await row.textContent()).toContain("worker")

  await page.click("[data-testid=filter-events]")
  await page.waitForFunction(() => new URL(location.href).searchParams.get("events") === "1")
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("[data-testid=log-row]")]
    return rows.length >= 6 && rows.every((r) => r.hasAttribute("data-event"))
  })
  expect(await page.locator("[data-testid=filter-events]").getAttribute("aria-pressed")).toBe("true")
  await env.shot("events-logs")
  await page.click("[data-testid=filter-events]")
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=log-row]")].some((r) => !r.hasAttribute("data-event")))
})
