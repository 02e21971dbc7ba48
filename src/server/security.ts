/**
 * Who may talk to the dashboard and the REST API (docs/architecture/security.md):
 *
 * - the Host header must name loopback (a page that rebinds its own hostname to 127.0.0.1 sends
 *   its own name, so DNS rebinding is refused);
 * - every request carries the per-run token (src/project/token.ts): the dashboard's HttpOnly,
 *   SameSite=Strict cookie or `Authorization: Bearer`, unless the user opted out with
 *   `[dashboard] auth = false`;
 * - requests from a browser must come from the dashboard's own page: origin compared whole
 *   (scheme, host and port), Sec-Fetch-Site same-origin; the CLI and curl send neither.
 */
import { tokenMatches } from "../project/token.ts"

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

export interface Guard {
  /** undefined: `[dashboard] auth = false`, the API is open to local processes */
  token: string | undefined
  /** the dashboard's own port, once it is bound */
  port(): number | undefined
}

export interface Refusal {
  status: 401 | 403
  message: string
}

function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase()
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1)
  const i = h.lastIndexOf(":")
  return i >= 0 ? h.slice(0, i) : h
}

export function isLoopbackName(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase())
}

export function loopbackHost(req: Request): boolean {
  const host = req.headers.get("host")
  const name = host ? hostnameOf(host) : new URL(req.url).hostname.toLowerCase()
  return LOOPBACK.has(name)
}

/**
 * The request's Origin is the dashboard itself (http, a loopback spelling, the dashboard's
 * port), or absent (not a browser: the CLI, curl). Everything else — other ports of localhost,
 * the opaque "null" origin of sandboxed frames and file://, look-alike hosts — is foreign.
 */
export function ownOrigin(req: Request, port: number | undefined): boolean {
  const origin = req.headers.get("origin")
  if (origin === null) return true
  if (port === undefined) return false
  try {
    const u = new URL(origin)
    const p = u.port === "" ? (u.protocol === "https:" ? 443 : 80) : Number(u.port)
    return u.protocol === "http:" && LOOPBACK.has(u.hostname.toLowerCase()) && p === port
  } catch {
    return false
  }
}

/** Cookies are scoped by host, not port: two projects' dashboards on localhost need two names. */
export function cookieName(port: number | undefined): string {
  return `devrig_${port ?? 0}`
}

export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=")
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim()
  }
  return undefined
}

function bearer(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "")
  return m?.[1]
}

/** The request carries the token (always true when auth is off). */
export function authenticated(req: Request, guard: Guard): boolean {
  if (guard.token === undefined) return true
  return tokenMatches(guard.token, bearer(req)) || tokenMatches(guard.token, cookieValue(req, cookieName(guard.port())))
}

/**
 * A browser request some other page made: Sec-Fetch-Site says so (another port of the same
 * host is "same-site", not "same-origin"). The dashboard's own fetches are "same-origin"; the
 * CLI and curl send none.
 */
function fromAnotherPage(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site")
  return site !== null && site !== "same-origin" && site !== "none"
}

/** Why an /api request is refused, or undefined when allowed. */
export function refusal(req: Request, guard: Guard): Refusal | undefined {
  if (!loopbackHost(req)) return { status: 403, message: "Host must be localhost, 127.0.0.1 or [::1]" }
  // Browsers send Origin with every request that acts and every WebSocket, and with cross-origin
  // reads; the dashboard's own reads carry none. Any foreign one is refused, read or not.
  if (!ownOrigin(req, guard.port()) || fromAnotherPage(req))
    return { status: 403, message: "cross-origin requests are not allowed" }
  if (!authenticated(req, guard))
    return { status: 401, message: "missing or wrong token: send `Authorization: Bearer <token>` with the token in .devrig/token (devrig query does)" }
  return undefined
}

/** The session cookie the dashboard URL's `?t=` is exchanged for. */
export function sessionCookie(guard: Guard, token: string): string {
  return `${cookieName(guard.port())}=${token}; Path=/; HttpOnly; SameSite=Strict`
}

/**
 * Sent with every dashboard page: no framing (clickjacking), scripts only from the dashboard
 * itself plus the hashes of index.html's own inline scripts, connections only back to it.
 */
export function pageHeaders(scriptHashes: string[] = []): Record<string, string> {
  const scripts = ["'self'", ...scriptHashes.map((h) => `'sha256-${h}'`)].join(" ")
  return {
    "content-security-policy": [
      "default-src 'self'",
      `script-src ${scripts}`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  }
}

/** What a browser without the cookie sees instead of the dashboard. */
export function signInPage(): string {
  return `<!doctype html><meta charset="utf-8"><title>devrig — sign in</title>
<body style="font:14px/1.6 system-ui;background:#0b0d12;color:#e4e7ef;padding:40px;max-width:44em">
<h1 style="font-size:18px">This devrig dashboard needs its token</h1>
<p>Open the dashboard with the address <code>devrig start</code> printed in its summary — it ends in
<code>/?t=…</code>. <code>devrig ps</code> in the project prints it again.</p>
<p>The token changes every time devrig starts: after a restart, open the new address.</p>
<p>If you followed a link from another site, open the address again from the address bar.</p>`
}
