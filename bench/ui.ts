// Dashboard budget check: gzip size of the built JS+CSS against the 250 KB target, and time to
// first render in headless Chromium of the overview and of a 200-span waterfall (< 300 ms), and
// frame times while scrolling 100k log rows.
// Usage: bun bench/ui.ts   (builds ui/ if needed; runs the real server in-process)
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { chromium } from "playwright-core"
import { CHROMIUM_ARGS } from "../test/e2e/fixture.ts"
import { startHarness } from "../test/e2e/harness.ts"
import { OtelClient, wide } from "../test/e2e/otel.ts"

const root = join(import.meta.dir, "..")
const build = Bun.spawn(["bun", "scripts/build-ui.ts"], { cwd: root, stdout: "inherit", stderr: "inherit" })
if ((await build.exited) !== 0) process.exit(1)

const assets = join(root, "ui", "dist", "assets")
let js = 0
let css = 0
for (const f of readdirSync(assets)) {
  if (f.endsWith(".gz")) continue
  const gz = Bun.gzipSync(readFileSync(join(assets, f)), { level: 9 }).length
  if (f.endsWith(".js")) js += gz
  if (f.endsWith(".css")) css += gz
}
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
console.log(`bundle (gzip)      js ${kb(js)} + css ${kb(css)} = ${kb(js + css)}  (target ≤ 250 KB) ${js + css <= 250 * 1024 ? "✓" : "✗"}`)

const h = await startHarness()
const otel = new OtelClient(h.httpPort)
const { traceId } = otel.trace(wide(200))
await otel.flush()
await otel.shutdown()

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS })
async function firstRender(path: string, selector: string, expectCount?: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    const page = await ctx.newPage()
    await page.goto(h.url + path, { waitUntil: "commit" })
    await page.waitForFunction(([s, n]) => document.querySelectorAll(s as string).length >= (n as number), [selector, expectCount ?? 1] as const, { polling: "raf" })
    // navigationStart → the frame in which the content exists
    times.push(await page.evaluate(() => performance.now()))
    await ctx.close()
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}
const overview = await firstRender("/", "[data-testid=component-row]", 5)
const waterfall = await firstRender(`/traces?traceId=${traceId}`, "[data-testid=span-row]", 20)
const verdict = (ms: number) => (ms < 300 ? "✓" : "✗")
console.log(`first render       overview ${overview.toFixed(0)} ms ${verdict(overview)}   200-span waterfall ${waterfall.toFixed(0)} ms ${verdict(waterfall)}  (median of 5, target < 300 ms)`)

// Scrolling logs with 100k records in the store: the view loads the newest 10k (its fetch limit;
// live records are prepended up to 100k) into a virtualized list, so the cost per frame does not
// grow with the row count. Frame times over 3 s of continuous scrolling.
{
  const store = h.telemetry.store
  const now = Date.now()
  for (let batch = 0; batch < 100; batch++) {
    store.addLogs(
      Array.from({ length: 1000 }, (_, i) => {
        const n = batch * 1000 + i
        const t = now - 100_000 + n
        return {
          timeMs: t,
          receivedAt: t,
          rec: {
            timestamp: new Date(t).toISOString(),
            observedTimestamp: new Date(t).toISOString(),
            timeUnixNano: `${BigInt(t) * 1_000_000n}`,
            service: n % 3 ? "api" : "worker",
            severityText: n % 17 ? "INFO" : "ERROR",
            severityNumber: n % 17 ? 9 : 17,
            level: n % 17 ? "info" : "error",
            body: `request ${n} handled in ${n % 250} ms`,
            attributes: { "http.route": "/users", n },
            resource: { "service.name": "api" },
            scope: { name: "bench" },
          },
        }
      }),
    )
  }
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const page = await ctx.newPage()
  await page.goto(`${h.url}/logs`)
  await page.waitForFunction(() => Number(document.querySelector("[data-testid=log-count]")?.textContent?.replace(/\D/g, "")) >= 10_000, undefined, { timeout: 60_000 })
  const frames = await page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const list = document.querySelector("[data-testid=log-list]") as HTMLElement
        const scroller = (list.closest("[data-scroller]") as HTMLElement) ?? list
        const deltas: number[] = []
        let last = performance.now()
        const end = last + 3000
        const step = (t: number) => {
          deltas.push(t - last)
          last = t
          scroller.scrollTop += 400
          if (t < end) requestAnimationFrame(step)
          else resolve(deltas.slice(1))
        }
        requestAnimationFrame(step)
      }),
  )
  frames.sort((a, b) => a - b)
  const q = (p: number) => frames[Math.min(frames.length - 1, Math.floor(frames.length * p))]!
  console.log(`scroll logs        (100k stored, ${await page.locator("[data-testid=log-count]").textContent()} loaded) frame p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${frames[frames.length - 1]!.toFixed(1)} ms over ${frames.length} frames (${(1000 / q(0.5)).toFixed(0)} fps median; 16.7 ms = 60 fps)`)
  await ctx.close()
}
await browser.close()
await h.stop()
