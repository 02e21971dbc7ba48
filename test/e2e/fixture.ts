// E2E fixture: a real temp project run by the COMPILED binary (`dist/devrig start -d`) with two
// small services and the dashboard on the ports devrig picks and reports (`ps --json`), a headless
// Chromium (Debian's, never a downloaded one), and a teardown that runs `devrig delete` and proves
// nothing is left. A JavaScript error on the page fails the test it happened in.
import { afterEach, setDefaultTimeout } from "bun:test"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Browser, chromium, type Page } from "playwright-core"
import type { StatusResponse } from "../../src/server/api-types.ts"
import { OtelClient } from "./otel.ts"

const root = join(import.meta.dir, "..", "..")
export const BIN = join(root, "dist", "devrig")
export const ARTIFACTS = join(root, "test", ".artifacts")

// Browser steps wait on live data; a single test may take a few seconds on a 2-core machine.
setDefaultTimeout(30_000)

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once("error", () => resolve(false))
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)))
  })
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * The binary is built once before the suite (./scripts/test builds it; so does ./scripts/build).
 * Never from here: parallel test processes rebuilding dist/devrig would replace it under each other.
 */
export async function ensureBinary(): Promise<void> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run ./scripts/build before the browser tests`)
}

// Every page error of the running test, reported when it ends: a dashboard that throws fails the
// test even when what it asserted still happened to render.
const pageErrors: string[] = []
afterEach(() => {
  const errors = pageErrors.splice(0)
  if (errors.length) throw new Error(`JavaScript error${errors.length > 1 ? "s" : ""} on the dashboard page:\n${errors.join("\n")}`)
})

async function devrig(dir: string, ...args: string[]) {
  const p = Bun.spawn([BIN, ...args], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } })
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  if (code !== 0) throw new Error(`devrig ${args.join(" ")} exited ${code}\n${out}\n${err}`)
  return out
}

export interface Env {
  dir: string
  url: string
  ports: { dashboard: number; grpc: number; http: number }
  otel: OtelClient
  browser: Browser
  page: Page
  status(): Promise<StatusResponse>
  /** a REST API request with the run's token */
  api(path: string, init?: RequestInit): Promise<Response>
  shot(name: string): Promise<void>
  teardown(): Promise<void>
}

export async function startEnv(name: string): Promise<Env> {
  await ensureBinary()
  mkdirSync(ARTIFACTS, { recursive: true })
  const dir = mkdtempSync(join(tmpdir(), `devrig-e2e-${name}-`))
  writeFileSync(
    join(dir, "devrig.toml"),
    `[project]
name = "e2e-${name}"

[services.web]
command = "python3 -m http.server $PORT --bind 127.0.0.1"
port = "auto"

[services.worker]
command = "bun -e 'setInterval(() => {}, 1000)'"

# no ports written: devrig takes the defaults or the next free ones, and reports what it bound
[dashboard]
`,
  )
  await devrig(dir, "start", "-d")
  const ps = JSON.parse(await devrig(dir, "ps", "--json")) as { dashboard?: { url: string; port: number; grpcPort: number; httpPort: number } }
  if (!ps.dashboard) throw new Error(`ps --json reports no dashboard: ${JSON.stringify(ps)}`)
  const { port: dashboard, grpcPort: grpc, httpPort: http } = ps.dashboard
  const url = `http://127.0.0.1:${dashboard}`
  // the API requires the per-run token: the test's own requests send it, the browser signs in
  // once with the URL the start summary prints (its cookie then serves every page)
  const token = readFileSync(join(dir, ".devrig", "token"), "utf8").trim()
  const api = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } })
  const status = async () => (await (await api("/api/status")).json()) as StatusResponse
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS })
  const page = await browser.newPage({ viewport: { width: 1440, height: 860 } })
  page.on("pageerror", (e) => {
    console.error(`[${name}] page error:`, e.message)
    pageErrors.push(`[${name}] ${e.stack ?? e.message}`)
  })
  await page.goto(`${url}/?t=${token}`)
  const otel = new OtelClient(http)
  return {
    dir,
    url,
    ports: { dashboard, grpc, http },
    otel,
    browser,
    page,
    status,
    api,
    shot: async (n) => void (await page.screenshot({ path: join(ARTIFACTS, `${n}.png`) })),
    async teardown() {
      const s = await status().catch(() => undefined)
      const pids = [s?.supervisorPid, ...(s?.components.map((c) => c.pid) ?? [])].filter((p): p is number => !!p)
      await otel.shutdown().catch(() => {})
      await browser.close()
      await devrig(dir, "delete")
      // Prove it: no supervisor or service process, every port free again.
      const deadline = Date.now() + 10_000
      while (Date.now() < deadline && pids.some(alive)) await Bun.sleep(100)
      const left = pids.filter(alive)
      // The dashboard and OTLP sockets belong to the supervisor, proven gone above; their default
      // ports may be taken by another project a moment later, so what is checked is that our
      // dashboard no longer answers. Service ports ("auto") must be free.
      const busy: number[] = []
      const answered = await api("/api/status", { signal: AbortSignal.timeout(2000) })
        .then(async (r) => ((await r.json()) as StatusResponse).project?.slug === s?.project.slug)
        .catch(() => false)
      if (answered) busy.push(dashboard)
      for (const p of s?.components.map((c) => c.port ?? 0).filter(Boolean) ?? []) if (!(await portIsFree(p))) busy.push(p)
      rmSync(dir, { recursive: true, force: true })
      if (left.length || busy.length) throw new Error(`left behind: processes ${left.join(",") || "none"}, ports ${busy.join(",") || "none"}`)
    },
  }
}
