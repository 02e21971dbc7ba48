// Who may talk to a running devrig (docs/architecture/security.md), tried with the compiled
// binary and a real Chromium: a local process without the per-run token, a web page on another
// port of localhost (same site, another origin), a page on another host name, and the dashboard
// itself opened with the URL the start summary prints.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test"
import { statSync } from "node:fs"
import { join } from "node:path"
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core"
import { assertCleanedUp, freePort, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"
import { rawHttp } from "./helpers.ts"

setDefaultTimeout(60_000)

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]

let p: Project
let sup = 0
let dash = 0
let otlp = 0
let web = 0
let token = ""
let summaryUrl = ""
let webPid = 0
let foreign: ReturnType<typeof Bun.serve>
let browser: Browser

const CONFIG = (ports: { dash: number; grpc: number; http: number; web: number }) => `
[services.web]
command = "exec python3 -m http.server $PORT --bind 127.0.0.1"
port = ${ports.web}

[dashboard]
port = ${ports.dash}
[dashboard.otel]
grpc_port = ${ports.grpc}
http_port = ${ports.http}
cors_origins = ["http://allowed.test:FOREIGN_PORT"]
`

// The other site's page: it only hosts the scripts the test evaluates in it.
const FOREIGN_PAGE = `<!doctype html><meta charset="utf-8"><title>another site</title><body>another dev server</body>`

beforeAll(async () => {
  foreign = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(FOREIGN_PAGE, { headers: { "content-type": "text/html" } }) })
  const grpc = await freePort()
  ;[dash, otlp, web] = await Promise.all([freePort(), freePort(), freePort()])
  p = project("auth", CONFIG({ dash, grpc, http: otlp, web }).replace("FOREIGN_PORT", String(foreign.port)))
  const r = await startDetached(p)
  sup = p.supervisorPid()!
  summaryUrl = /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/.exec(r.stdout)?.[0] ?? ""
  token = p.read(".devrig/token").trim()
  webPid = (await p.waitState("web", "running")).pid!
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    // other host names for the foreign page, resolved to loopback like a DNS-rebinding attacker's
    args: [...CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.test 127.0.0.1, MAP allowed.test 127.0.0.1"],
  })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  foreign?.stop(true)
  await stop(p)
  expect(statSync(join(p.dir, ".devrig", "token"), { throwIfNoEntry: false }), "the token is removed at stop").toBeUndefined()
  await assertCleanedUp(p, [dash, otlp, web], sup)
  await p.run(["delete"])
}, 60_000)

const api = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${dash}${path}`, init)
const bearer = (t = token) => ({ authorization: `Bearer ${t}` })
const configRevision = async () => ((await (await api("/api/config", { headers: bearer() })).json()) as { revision: string }).revision

/** Every endpoint, as [label, method, path, body]. */
function endpoints(base: string): [string, string, string, string?][] {
  return [
    ["PUT /api/config", "PUT", `/api/config?base=${base}&force=1`, "[project]\nname = \"pwned\"\n"],
    ["POST /api/config/validate", "POST", "/api/config/validate", "[project]\nname = \"x\"\n"],
    ["POST stop", "POST", "/api/services/web/stop"],
    ["POST restart", "POST", "/api/services/web/restart"],
    ["POST start", "POST", "/api/services/web/start"],
    ["GET logs", "GET", "/api/logs"],
    ["GET traces", "GET", "/api/traces"],
    ["GET status", "GET", "/api/status"],
    ["GET env", "GET", "/api/env"],
    ["GET config", "GET", "/api/config"],
  ]
}

async function untouched() {
  expect(p.read("devrig.toml")).not.toContain("pwned")
  const c = await p.component("web")
  expect(c.state).toBe("running")
  expect(c.pid, "web was not stopped or restarted").toBe(webPid)
}

test("the token: 0600 in .devrig/, printed once in the summary as the dashboard URL", () => {
  expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/)
  expect((statSync(join(p.dir, ".devrig", "token")).mode & 0o777).toString(8)).toBe("600")
  expect(summaryUrl).toBe(`http://127.0.0.1:${dash}/?t=${token}`)
})

test("a local process without the token (or with a wrong one) is refused everywhere", async () => {
  const base = await configRevision()
  const got: string[] = []
  const attempts: Record<string, string>[] = [{}, bearer("wrong-" + token.slice(6)), { cookie: `devrig_${dash}=${token.slice(1)}` }]
  for (const headers of attempts) {
    for (const [label, method, path, body] of endpoints(base)) {
      const res = await api(path, { method, body, headers })
      const json = (await res.json().catch(() => undefined)) as { error?: { code: string } } | undefined
      if (res.status !== 401 || json?.error?.code !== "UNAUTHORIZED") got.push(`${label} ${JSON.stringify(headers)}: ${res.status}`)
    }
    const ws = await rawHttp(dash, ["GET /api/ws HTTP/1.1", `Host: 127.0.0.1:${dash}`, "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)])
    if (ws.status !== 401) got.push(`WebSocket ${JSON.stringify(headers)}: ${ws.status}`)
  }
  expect(got).toEqual([])
  // the dashboard page says how to get in instead of serving the app
  const page = await api("/")
  expect(page.status).toBe(401)
  const text = await page.text()
  expect(text).toContain("devrig start")
  expect(text).toContain("devrig ps")
  expect(text).not.toContain('id="root"')
  await untouched()
})

test("a forged Host (DNS rebinding) is refused even with the token; the CLI's way works", async () => {
  const rebound = await rawHttp(dash, ["GET /api/status HTTP/1.1", "Host: evil.test:" + dash, `Authorization: Bearer ${token}`])
  expect(rebound.status).toBe(403)
  const page = await rawHttp(dash, [`GET /?t=${token} HTTP/1.1`, "Host: evil.test:" + dash])
  expect(page.status).toBe(403)
  const otel = await rawHttp(otlp, ["POST /v1/logs HTTP/1.1", "Host: evil.test:" + otlp, "Content-Type: application/json"], "{}")
  expect(otel.status).toBe(403)
  const ok = await api("/api/status", { headers: bearer() })
  expect(ok.status).toBe(200)
})

test("devrig query, devrig wait and the skill's script work with auth on", async () => {
  const marker = `auth-marker-${Date.now()}`
  // wait --for counts only what arrives after it is called, or after --since
  const before = new Date(Date.now() - 1000).toISOString()
  const sent = await fetch(`http://127.0.0.1:${otlp}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "web" } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: String(Date.now() * 1e6), severityText: "INFO", body: { stringValue: marker } }] }] }] }),
  })
  expect(sent.status).toBe(200) // an SDK exporter: no Origin, no token needed
  const wait = await p.run(["wait", "--for", `log search=${marker}`, "--since", before, "--timeout", "20s"])
  expect(wait.exitCode, wait.stderr).toBe(0)
  const q = await p.run(["query", "logs", "--search", marker])
  expect(q.exitCode, q.stderr).toBe(0)
  expect(q.stdout).toContain(marker)
  const status = await p.run(["query", "status"])
  expect(status.exitCode, status.stderr).toBe(0)
  expect(JSON.parse(status.stdout).project.name).toBe("auth")
  const skill = join(import.meta.dir, "..", "..", "..", "skill", "claude-code", "devrig.sh")
  const proc = Bun.spawn(["sh", skill, "logs", "web", marker], { cwd: p.dir, env: { ...process.env, ...p.env, DEVRIG: join(import.meta.dir, "..", "..", "..", "dist", "devrig") }, stdout: "pipe", stderr: "pipe" })
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  expect(code, err).toBe(0)
  expect(out).toContain(marker)
  const ps = await p.run(["ps"])
  expect(ps.stdout).toContain(`http://127.0.0.1:${dash}/?t=${token}`)
})

/** Runs `script` in a page of `origin` and records what the dashboard/OTLP ports answered. */
async function fromPage(context: BrowserContext, origin: string, script: (a: { dash: number; otlp: number; base: string; marker: string }) => Promise<unknown>, arg: { base: string; marker: string }) {
  const page = await context.newPage()
  const statuses: string[] = []
  page.on("response", (r) => {
    const u = new URL(r.url())
    if (u.port === String(dash) || u.port === String(otlp)) statuses.push(`${r.request().method()} ${u.port === String(dash) ? "dash" : "otlp"}${u.pathname} ${r.status()}`)
  })
  await page.goto(`${origin}/`)
  const result = await page.evaluate(script, { dash, otlp, ...arg })
  await page.close()
  return { result, statuses }
}

// Runs inside the foreign page: every endpoint with the credentials a browser would attach.
async function attack({ dash, otlp, base, marker }: { dash: number; otlp: number; base: string; marker: string }) {
  const at = `http://127.0.0.1:${dash}`
  const out: Record<string, string> = {}
  const tries: [string, string, string, string?][] = [
    ["put-config", "PUT", `/api/config?base=${base}&force=1`, '[project]\nname = "pwned"\n'],
    ["validate", "POST", "/api/config/validate", "x = 1"],
    ["stop", "POST", "/api/services/web/stop"],
    ["restart", "POST", "/api/services/web/restart"],
    ["start", "POST", "/api/services/web/start"],
  ]
  for (const [name, method, path, body] of tries) {
    // no-cors: the simple request a page can always send, answer opaque to it (POST only);
    // a PUT needs a CORS preflight, which the server must refuse
    const mode = method === "POST" ? "no-cors" : "cors"
    out[name] = await fetch(at + path, { method, body, mode, credentials: "include", headers: { "content-type": "text/plain" } })
      .then((r) => (r.type === "opaque" ? "sent" : `read ${r.status}`))
      .catch(() => "blocked")
  }
  for (const path of ["/api/logs", "/api/traces"]) {
    out[path] = await fetch(at + path, { credentials: "include" })
      .then((r) => r.text())
      .then((t) => `read ${t.length} bytes`)
      .catch(() => "unreadable")
  }
  out.ws = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${dash}/api/ws`)
    ws.onmessage = (m) => resolve(`message ${String(m.data).slice(0, 40)}`)
    ws.onerror = () => resolve("refused")
    ws.onclose = () => resolve("refused")
  })
  const otel = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "web" } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: marker } }] }] }] })
  out.otlp = await fetch(`http://127.0.0.1:${otlp}/v1/logs`, { method: "POST", headers: { "content-type": "application/json" }, body: otel })
    .then((r) => String(r.status)) // readable at all only because the receiver named this origin
    .catch(() => "blocked")
  return out
}

test("pages on other origins are refused by the API and the WebSocket, even holding the dashboard's cookie", async () => {
  const base = await configRevision()
  const context = await browser.newContext()
  try {
    // 1. a guessed cookie for the dashboard's host, from a page on another port of the same host
    await context.addCookies([{ name: `devrig_${dash}`, value: "guessed", domain: "127.0.0.1", path: "/" }])
    const guessed = await fromPage(context, `http://127.0.0.1:${foreign.port}`, attack, { base, marker: "xo-guessed-cookie" })
    // 2. the real cookie: the user opened the dashboard in this browser, then visits the other page
    const dashboard = await context.newPage()
    await dashboard.goto(summaryUrl)
    await dashboard.close()
    const real = await fromPage(context, `http://127.0.0.1:${foreign.port}`, attack, { base, marker: "xo-same-site-page" })
    // 3. a page of localhost (another site for cookies) and one on another host name
    const localhost = await fromPage(context, `http://localhost:${foreign.port}`, attack, { base, marker: "xo-localhost-page" })
    const evil = await fromPage(context, `http://evil.test:${foreign.port}`, attack, { base, marker: "xo-evil-page" })
    const allowed = await fromPage(context, `http://allowed.test:${foreign.port}`, attack, { base, marker: "xo-allowed-page" })

    for (const [who, r] of Object.entries({ guessed, real, localhost, evil, allowed })) {
      const res = r.result as Record<string, string>
      expect(res.ws, `${who}: WebSocket`).toBe("refused")
      expect(res["/api/logs"], `${who}: logs`).toBe("unreadable")
      expect(res["/api/traces"], `${who}: traces`).toBe("unreadable")
      // what the server answered to the requests the page could send (the page cannot see it;
      // the browser reports no response for reads and preflights it refused on CORS grounds)
      const dashAnswers = r.statuses.filter((s) => s.includes(" dash/api/"))
      expect(dashAnswers.length, `${who}: ${r.statuses.join(", ")}`).toBeGreaterThanOrEqual(4)
      expect(res["put-config"], `${who}: PUT /api/config`).toBe("blocked")
      for (const s of dashAnswers) expect(s, who).toMatch(/ (401|403)$/)
    }
    // same-site page holding the real cookie: refused for its origin, not for a missing token
    expect(real.statuses.filter((s) => s.includes(" dash/api/")).every((s) => s.endsWith(" 403"))).toBe(true)
    // OTLP: loopback pages (the user's own web apps) and configured origins may send; others may not
    expect((real.result as Record<string, string>).otlp).toBe("200")
    expect((localhost.result as Record<string, string>).otlp).toBe("200")
    expect((allowed.result as Record<string, string>).otlp).toBe("200")
    expect((evil.result as Record<string, string>).otlp).toBe("blocked")
    expect(evil.statuses.filter((s) => s.includes(" otlp/")).every((s) => s.endsWith(" 403")), evil.statuses.join(", ")).toBe(true)
    const q = await p.run(["query", "logs", "--source", "otlp", "--search", "xo-"])
    expect(q.exitCode, q.stderr).toBe(0)
    const bodies = q.stdout.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { body: string }).body).sort()
    expect(bodies).toEqual(["xo-allowed-page", "xo-guessed-cookie", "xo-localhost-page", "xo-same-site-page"])
    await untouched()
  } finally {
    await context.close()
  }
})

test("the dashboard itself: the URL's token becomes an HttpOnly SameSite=Strict cookie, leaves the address bar, and the page's own requests work", async () => {
  const context = await browser.newContext()
  const page: Page = await context.newPage()
  const cspErrors: string[] = []
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text())
  })
  try {
    const first = await page.goto(summaryUrl)
    expect(page.url()).toBe(`http://127.0.0.1:${dash}/`)
    expect(first!.status()).toBe(200)
    const headers = first!.headers()
    expect(headers["x-frame-options"]).toBe("DENY")
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'")
    expect(headers["content-security-policy"]).toContain("script-src 'self'")
    const cookies = await context.cookies(`http://127.0.0.1:${dash}`)
    expect(cookies.map((c) => ({ name: c.name, value: c.value, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([
      { name: `devrig_${dash}`, value: token, httpOnly: true, sameSite: "Strict" },
    ])
    expect(await page.evaluate(() => document.cookie)).not.toContain(token)
    // the app rendered (its scripts ran under the CSP) and shows the service from /api/status
    await page.getByText("web", { exact: true }).first().waitFor({ timeout: 15_000 })

    const base = await configRevision()
    const own = await page.evaluate(
      async ({ base }) => {
        const status = (r: Response) => r.status
        const source = ((await (await fetch("/api/config")).json()) as { source: string }).source
        const ws = await new Promise<string>((resolve) => {
          const s = new WebSocket(`ws://${location.host}/api/ws`)
          s.onmessage = (m) => (s.close(), resolve(JSON.parse(String(m.data)).type))
          s.onerror = () => resolve("error")
        })
        return {
          status: await fetch("/api/status").then(status),
          logs: await fetch("/api/logs").then(status),
          traces: await fetch("/api/traces").then(status),
          validate: await fetch("/api/config/validate", { method: "POST", body: source }).then(status),
          save: await fetch(`/api/config?base=${base}`, { method: "PUT", body: source }).then(status),
          restart: await fetch("/api/services/web/restart", { method: "POST" }).then(status),
          ws,
        }
      },
      { base },
    )
    expect(own).toEqual({ status: 200, logs: 200, traces: 200, validate: 200, save: 200, restart: 200, ws: "hello" })
    await waitFor(async () => {
      const c = await p.component("web")
      return c.state === "running" && c.pid !== webPid
    }, "web restarted by the dashboard")
    // a wrong token in the URL does not sign in
    const other = await browser.newContext()
    const wrong = await (await other.newPage()).goto(`http://127.0.0.1:${dash}/?t=nope`)
    expect(wrong!.status()).toBe(401)
    expect(await other.cookies()).toEqual([])
    await other.close()
    expect(cspErrors).toEqual([])
  } finally {
    await context.close()
  }
})
