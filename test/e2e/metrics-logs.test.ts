// Metrics discovery and chart clicks, log filtering, log → trace, and 20k virtualized log rows.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { type Env, startEnv } from "./fixture.ts"
import { checkout } from "./otel.ts"

let env: Env
let traced: { traceId: string; spans: Record<string, string> }

beforeAll(async () => {
  env = await startEnv("metrics-logs")
  const { otel } = env
  traced = otel.trace(checkout())
  otel.log({ service: "api", level: "info", body: "order 99 accepted", traceId: traced.traceId, spanId: traced.spans["POST /orders"] })
  otel.log({ service: "worker", level: "warn", body: "queue lag above 2s" })
  otel.log({ service: "worker", level: "error", body: "email provider timed out" })
  otel.log({ service: "web", level: "debug", body: "rendered /checkout in 11ms" })
  otel.requests("api", [12, 30, 45, 80, 250])
  await otel.flush()
  otel.requests("api", [14, 60])
  await otel.flush()
}, 120_000)
afterAll(async () => {
  await env?.teardown()
}, 60_000)

const params = () => new URL(env.page.url()).searchParams

test("metrics are discovered with type, unit and services, and chart", async () => {
  const { page } = env
  await page.goto(`${env.url}/metrics`)
  await page.waitForSelector('[data-testid=metric-item][data-name="http.server.duration"]')
  const names = await page.locator("[data-testid=metric-item]").evaluateAll((els) => els.map((e) => e.getAttribute("data-name")))
  expect(names).toEqual(expect.arrayContaining(["http.server.duration", "http.server.requests", "process.memory.usage"]))
  expect(await page.locator('[data-testid=metric-item][data-name="http.server.duration"] [data-testid=metric-type]').textContent()).toBe("histogram")
  // arriving without a name selects the duration histogram: p50/p90/p99 lines
  await page.waitForSelector("[data-testid=chart] canvas")
  expect(params().get("name")).toBe("http.server.duration")
  expect(await page.locator("[data-testid=series-table] tbody tr").count()).toBe(3)
  await page.click('[data-testid=metric-item][data-name="http.server.requests"]')
  await page.waitForFunction(() => document.querySelector("[data-testid=metric-title]")?.textContent === "http.server.requests")
  await page.waitForSelector("[data-testid=chart] canvas")
  await env.shot("metrics")
})

test("metric point → traces around that time", async () => {
  const { page } = env
  await page.goto(`${env.url}/metrics?name=http.server.duration&service=api`)
  await page.waitForSelector("[data-testid=chart] canvas")
  const over = page.locator("[data-testid=chart] .u-over")
  const box = (await over.boundingBox())!
  await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2)
  await page.mouse.click(box.x + box.width - 3, box.y + box.height / 2)
  await page.waitForSelector("[data-testid=point-menu]")
  await env.shot("metric-point-menu")
  await page.click("[data-testid=menu-view-traces]")
  await page.waitForSelector("[data-testid=view-traces] [data-testid=filter-window]")
  expect(params().get("service")).toBe("api")
  await page.waitForSelector(`[data-testid=trace-row][data-trace-id="${traced.traceId}"]`)
  // and back, then the logs entry of the same menu
  await page.keyboard.press("Escape")
  await page.waitForSelector("[data-testid=view-metrics] [data-testid=chart] canvas")
  await page.mouse.click(box.x + box.width - 3, box.y + box.height / 2)
  await page.click("[data-testid=menu-view-logs]")
  await page.waitForSelector("[data-testid=log-row] >> text=order 99 accepted")
})

test("logs: severity filter", async () => {
  const { page } = env
  // Only what the SDK sent: devrig's lifecycle events and the services' output are records too.
  await page.goto(`${env.url}/logs?source=otlp`)
  await page.waitForSelector("[data-testid=log-row]")
  expect(await page.locator("[data-testid=log-row]").count()).toBe(4)
  await page.selectOption("[data-testid=filter-level]", "warn")
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=log-row]").length === 2)
  const levels = await page.locator("[data-testid=log-row]").evaluateAll((els) => els.map((e) => e.getAttribute("data-level")))
  expect(levels.sort()).toEqual(["error", "warn"])
  expect(params().get("level")).toBe("warn")
  await page.fill("[data-testid=filter-search]", "email")
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=log-row]").length === 1)
  await env.shot("logs-filtered")
})

test("log → trace: View trace opens the waterfall at the log's span", async () => {
  const { page } = env
  await page.goto(`${env.url}/logs?service=api`)
  await page.click(`[data-testid=log-row][data-trace-id="${traced.traceId}"] [data-testid=log-view-trace]`)
  await page.waitForSelector("[data-testid=span-panel]")
  expect(params().get("traceId")).toBe(traced.traceId)
  expect(await page.locator("[data-testid=span-name]").textContent()).toBe("POST /orders")
  await page.keyboard.press("Escape") // closes the span
  await page.keyboard.press("Escape") // back to the logs
  await page.waitForSelector("[data-testid=view-logs]")
  // a record without trace context offers traces/metrics around its time
  await page.goto(`${env.url}/logs?service=worker`)
  const row = page.locator("[data-testid=log-row] >> nth=0")
  await row.hover()
  await row.locator("[data-testid=log-view-traces]").click()
  await page.waitForSelector("[data-testid=view-traces] [data-testid=filter-window]")
  expect(params().get("service")).toBe("worker")
})

test("log detail: t/l/m keys from a selected record", async () => {
  const { page } = env
  await page.goto(`${env.url}/logs?service=worker`)
  await page.click("[data-testid=log-row] >> nth=0")
  await page.waitForSelector("[data-testid=log-panel]")
  await page.keyboard.press("m")
  await page.waitForSelector("[data-testid=view-metrics]")
  expect(params().get("service")).toBe("worker")
  await page.keyboard.press("Escape")
  await page.waitForSelector("[data-testid=view-logs]")
})

test("20k log records: virtualized, new ones arrive live", async () => {
  const { page, otel } = env
  const t0 = Date.now() - 30_000
  for (let chunk = 0; chunk < 20; chunk++) {
    for (let i = 0; i < 1000; i++) otel.log({ service: "bulk", level: i % 10 ? "info" : "warn", body: `bulk record ${chunk * 1000 + i}`, time: t0 + chunk * 1000 + i })
    await otel.flush()
  }
  await page.goto(`${env.url}/logs?service=bulk`)
  // The live socket's hello refetches every view (it catches up on what a connect may have
  // missed): wait for it and for that refetch, so the record pushed below arrives after both.
  await page.waitForSelector("[data-testid=connection][data-state=open]")
  await page.waitForLoadState("networkidle")
  await page.waitForFunction(() => document.querySelector("[data-testid=log-count]")?.textContent?.startsWith("10,000"))
  expect(await page.locator("[data-testid=log-row]").count()).toBeLessThan(80) // only what is on screen
  const list = page.locator("[data-testid=log-list]")
  await list.evaluate((el) => (el.scrollTop = 150_000))
  await page.waitForTimeout(100)
  const visible = await page.locator("[data-testid=log-body]").first().textContent()
  expect(visible).toMatch(/bulk record \d+/)
  otel.log({ service: "bulk", level: "error", body: "pushed live" })
  await otel.flush()
  await page.waitForFunction(() => document.querySelector("[data-testid=log-count]")?.textContent?.startsWith("10,001"))
  // the user's place is kept while rows arrive above it
  expect(await page.locator("[data-testid=log-body]").first().textContent()).toBe(visible)
  await list.evaluate((el) => (el.scrollTop = 0))
  await page.waitForSelector("[data-testid=log-row] >> text=pushed live")
  await env.shot("logs-bulk")
})
