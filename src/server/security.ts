/**
 * DNS-rebinding and cross-site protection. The API listens on 127.0.0.1, but a web page on
 * any origin can still make the browser send requests to it (or rebind its own hostname to
 * 127.0.0.1). Requests must name a loopback host, and requests that act (POST, WebSocket)
 * must not come from a foreign Origin.
 */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase()
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1)
  const i = h.lastIndexOf(":")
  return i >= 0 ? h.slice(0, i) : h
}

export function loopbackHost(req: Request): boolean {
  const host = req.headers.get("host")
  const name = host ? hostnameOf(host) : new URL(req.url).hostname.toLowerCase()
  return LOOPBACK.has(name)
}

export function loopbackOrigin(req: Request): boolean {
  const origin = req.headers.get("origin")
  if (origin === null) return true // not a browser (CLI, curl): nothing cross-site to guard
  try {
    return LOOPBACK.has(new URL(origin).hostname.toLowerCase())
  } catch {
    return false // includes the opaque "null" origin of sandboxed frames and file://
  }
}

/** Why a request is refused, or undefined when allowed. */
export function refusal(req: Request, acts: boolean): string | undefined {
  if (!loopbackHost(req)) return "Host must be localhost, 127.0.0.1 or [::1]"
  if (acts && !loopbackOrigin(req)) return "cross-origin requests are not allowed"
  return undefined
}
