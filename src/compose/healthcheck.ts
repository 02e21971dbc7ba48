/**
 * devrig ready checks translated into Compose healthchecks for `devrig eject`. devrig probes from
 * the host with its own tools; a healthcheck runs inside the container with whatever the image
 * ships, so http and tcp are best-effort chains of common tools, and `log` has no equivalent.
 */
import type { ResolvedContainer } from "../config/resolved.ts"
import type { ReadyCheck } from "../config/schema.ts"
import { DEFAULTS } from "../config/schema.ts"
import { parseDuration } from "../duration.ts"
import { formatArgv } from "./argv.ts"

export interface Healthcheck {
  /** `["CMD-SHELL", script]` */
  test: [string, string]
  interval: string
  timeout: string
  retries: number
}

/** A check that cannot become a healthcheck, and why (written as a comment into the file). */
export interface Untranslatable {
  reason: string
}

const INTERVAL_MS = 1000

export function toHealthcheck(c: ResolvedContainer): Healthcheck | Untranslatable | undefined {
  const check = c.readyCheck
  if (!check) return undefined
  const script = _script(check, c)
  if (typeof script !== "string") return script
  const budget = check.timeout !== undefined ? parseDuration(check.timeout) : DEFAULTS.readyTimeoutMs
  return {
    test: ["CMD-SHELL", script],
    interval: "1s",
    timeout: "5s",
    retries: Math.max(1, Math.ceil(budget / INTERVAL_MS)),
  }
}

export function isHealthcheck(h: Healthcheck | Untranslatable | undefined): h is Healthcheck {
  return h !== undefined && "test" in h
}

function _script(check: ReadyCheck, c: ResolvedContainer): string | Untranslatable {
  switch (check.type) {
    case "pg_isready":
      // 127.0.0.1, not the socket: an init-time temporary server may listen on the socket only.
      return `pg_isready -h 127.0.0.1 -U ${_q(check.user ?? c.env.POSTGRES_USER ?? "postgres")}`
    case "cmd": {
      const cmd = typeof check.command === "string" ? check.command : formatArgv(check.command)
      return check.expect === undefined ? cmd : `(${cmd}) 2>&1 | grep -qF -- ${_q(check.expect)}`
    }
    case "http":
      return _http(check.url ?? `http://localhost:${_mainHostPort(c) ?? 80}/`, c)
    case "tcp": {
      const port = _inContainer(check.port ?? _mainHostPort(c), c)
      if (port === undefined) return { reason: "tcp ready check without a port" }
      return _tcp(port)
    }
    case "log":
      return { reason: `log ready check (match ${JSON.stringify(check.match)}) has no Compose healthcheck equivalent` }
  }
}

/** wget, else curl, else plain HTTP/1.0 over bash's /dev/tcp (images with bash but neither tool). */
function _http(raw: string, c: ResolvedContainer): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return `wget -q -O /dev/null ${_q(raw)} 2>/dev/null || curl -fsS -o /dev/null ${_q(raw)}`
  }
  const local = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"].includes(url.hostname)
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80))
  if (local) {
    // The URL is written from the host's side: a published host port becomes the container port.
    url.hostname = "127.0.0.1"
    url.port = String(_inContainer(port, c) ?? port)
  }
  const href = url.href
  const chain = [`wget -q -O /dev/null ${_q(href)} 2>/dev/null`, `curl -fsS -o /dev/null ${_q(href)} 2>/dev/null`]
  if (url.protocol === "http:") {
    const p = url.port || "80"
    const req = `exec 3<>/dev/tcp/${url.hostname}/${p} && printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' ${_q(url.pathname + url.search)} ${_q(url.hostname)} >&3 && head -n 1 <&3 | grep -q ' 2[0-9][0-9]'`
    chain.push(`bash -c ${_q(req)} 2>/dev/null`)
  }
  return chain.join(" || ")
}

/** nc -z (OpenBSD/GNU), busybox nc (no -z: connect and hang up), then bash's /dev/tcp. */
function _tcp(port: number): string {
  return [
    `nc -z 127.0.0.1 ${port} 2>/dev/null`,
    `nc -w 1 127.0.0.1 ${port} </dev/null >/dev/null 2>&1`,
    `bash -c ${_q(`echo > /dev/tcp/127.0.0.1/${port}`)} 2>/dev/null`,
  ].join(" || ")
}

function _mainHostPort(c: ResolvedContainer): number | undefined {
  return c.port?.host ?? Object.values(c.ports)[0]?.host
}

/** Ready check ports are host ports; inside the container the published container port answers. */
function _inContainer(port: number | undefined, c: ResolvedContainer): number | undefined {
  if (port === undefined) return undefined
  for (const p of [c.port, ...Object.values(c.ports)]) if (p && p.host === port && p.container > 0) return p.container
  return port
}

function _q(s: string): string {
  return formatArgv([s])
}
