// E2E fixture: a real temp project run by the COMPILED binary (`dist/devrig start -d`) with two
// small services and the dashboard on free ports, a headless Chromium (Debian's, never a
// downloaded one), and a teardown that runs `devrig delete` and proves nothing is left.
import { setDefaultTimeout } from "bun:test"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

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

function newestMtime(dir: string): number {
  let m = 0
  for (const n of readdirSync(dir)) {
    const p = join(dir, n)
    const st = statSync(p)
    m = Math.max(m, st.isDirectory() ? newestMtime(p) : st.mtimeMs)
  }
  return m
}

let building: Promise<void> | undefined
/** Rebuild dist/devrig when it is missing or older than its sources (once per test process). */
export function ensureBinary(): Promise<void> {
  building ??= build()
  return building
}

async function build() {
  let binTime = 0
  try {
    binTime = statSync(BIN).mtimeMs
  } catch {}
  if (binTime > Math.max(newestMtime(join(root, "ui", "src")), newestMtime(join(root, "src")))) return
  const p = Bun.spawn(["bun", "scripts/build.ts"], { cwd: root, stdout: "ignore", stderr: "inherit" })
  if ((await p.exited) !== 0) throw new Error("./scripts/build failed")
}

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
  const [dashboard, grpc, http] = [await freePort(), await freePort(), await freePort()]
  writeFileSync(
    join(dir, "devrig.toml"),
    `[project]
name = "e2e-${name}"

[services.web]
command = "python3 -m http.server $PORT --bind 127.0.0.1"
port = "auto"

[services.worker]
command = "bun -e 'setInterval(() => {}, 1000)'"

[dashboard]
port = ${dashboard}

[dashboard.otel]
grpc_port = ${grpc}
http_port = ${http}
`,
  )
  await devrig(dir, "start", "-d")
  const url = `http://127.0.0.1:${dashboard}`
  // the API requires the per-run token: the test's own requests send it, the browser signs in
  // once with the URL the start summary prints (its cookie then serves every page)
  const token = readFileSync(join(dir, ".devrig", "token"), "utf8").trim()
  const api = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } })
  const status = async () => (await (await api("/api/status")).json()) as StatusResponse
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS })
  const page = await browser.newPage({ viewport: { width: 1440, height: 860 } })
  page.on("pageerror", (e) => console.error(`[${name}] page error:`, e.message))
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
      const busy: number[] = []
      for (const p of [dashboard, grpc, http, ...(s?.components.map((c) => c.port ?? 0).filter(Boolean) ?? [])]) if (!(await portIsFree(p))) busy.push(p)
      rmSync(dir, { recursive: true, force: true })
      if (left.length || busy.length) throw new Error(`left behind: processes ${left.join(",") || "none"}, ports ${busy.join(",") || "none"}`)
    },
  }
}
