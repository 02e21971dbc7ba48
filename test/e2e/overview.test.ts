// Overview, actions, palette, shortcuts and theme — against the compiled binary.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { type Env, startEnv } from "./fixture.ts"

let env: Env
beforeAll(async () => {
  env = await startEnv("overview")
}, 120_000)
afterAll(async () => {
  await env?.teardown()
}, 60_000)

test("overview shows every service with its live status, uptime and URL", async () => {
  const { page } = env
  await page.goto(env.url)
  const web = page.locator('[data-testid=component-row][data-name="web"]')
  await web.waitFor()
  expect(await web.getAttribute("data-state")).toBe("running")
  expect(await page.locator('[data-testid=component-row][data-name="worker"]').getAttribute("data-state")).toBe("running")
  const s = await env.status()
  const webPort = s.components.find((c) => c.name === "web")!.port!
  expect(await web.locator("[data-testid=component-url]").first().getAttribute("href")).toContain(String(webPort))
  expect(await web.locator("[data-testid=component-uptime]").textContent()).toMatch(/\d+s|\d+m/)
  expect(await page.locator("[data-testid=project-name]").textContent()).toBe("e2e-overview")
  await env.shot("overview")
})

test("stop and start a service: the row follows live over the WebSocket", async () => {
  const { page } = env
  const row = page.locator('[data-testid=component-row][data-name="worker"]')
  await row.locator("[data-testid=action-stop]").click()
  await page.waitForSelector('[data-testid=component-row][data-name="worker"][data-state="stopped"]', { timeout: 15_000 })
  expect((await env.status()).components.find((c) => c.name === "worker")!.state).toBe("stopped")
  await env.shot("overview-stopped")
  await row.locator("[data-testid=action-start]").click()
  await page.waitForSelector('[data-testid=component-row][data-name="worker"][data-state="running"]', { timeout: 15_000 })
})

test("restart a service: new pid, back to running without a reload", async () => {
  const { page } = env
  const before = (await env.status()).components.find((c) => c.name === "web")!.pid
  await page.locator('[data-testid=component-row][data-name="web"] [data-testid=action-restart]').click()
  await page.waitForFunction(
    async (old) => {
      const s = await (await fetch("/api/status")).json()
      const w = s.components.find((c: { name: string }) => c.name === "web")
      return w.state === "running" && w.pid !== old
    },
    before,
    { timeout: 20_000 },
  )
  await page.waitForSelector('[data-testid=component-row][data-name="web"][data-state="running"]')
})

test("Cmd/Ctrl+K opens the palette and jumps to a view", async () => {
  const { page } = env
  await page.goto(env.url)
  await page.keyboard.press("Control+k")
  await page.waitForSelector("[data-testid=palette]")
  await page.fill("[data-testid=palette-input]", "logs")
  await env.shot("palette")
  await page.keyboard.press("Enter")
  await page.waitForSelector("[data-testid=view-logs]")
  expect(new URL(page.url()).pathname).toBe("/logs")
  await page.keyboard.press("Meta+k")
  await page.fill("[data-testid=palette-input]", "worker traces")
  await page.keyboard.press("Enter")
  await page.waitForSelector("[data-testid=view-traces]")
  expect(new URL(page.url()).searchParams.get("service")).toBe("worker")
})

test("? shows the keyboard shortcuts", async () => {
  const { page } = env
  await page.goto(env.url)
  await page.waitForSelector("[data-testid=component-row]")
  await page.keyboard.press("?")
  await page.waitForSelector("[data-testid=shortcuts]")
  expect(await page.locator("[data-testid=shortcuts]").textContent()).toContain("Command palette")
  await env.shot("shortcuts")
  await page.keyboard.press("Escape")
  await page.waitForSelector("[data-testid=shortcuts]", { state: "detached" })
})

test("dark by default; the light theme survives a reload", async () => {
  const { page } = env
  await page.goto(env.url)
  expect(await page.evaluate(() => document.documentElement.className)).toBe("dark")
  await page.click("[data-testid=theme-toggle]")
  expect(await page.evaluate(() => document.documentElement.className)).toBe("light")
  await page.reload()
  await page.waitForSelector("[data-testid=component-row]")
  expect(await page.evaluate(() => document.documentElement.className)).toBe("light")
  await env.shot("overview-light")
  await page.click("[data-testid=theme-toggle]")
  expect(await page.evaluate(() => localStorage.getItem("devrig.theme"))).toBe("dark")
})
