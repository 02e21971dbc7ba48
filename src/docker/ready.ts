/**
 * Ready checks for containers: retried with exponential backoff until they pass, the container
 * exits, or the check's timeout (default 30 s) runs out. The timeout counts from the container's
 * start, and the last attempt happens at the deadline (the backoff never skips it). A failure
 * carries the check's last output and the container's last log lines, which is usually all the
 * user needs to see.
 */
import { connect } from "node:net"
import type { ResolvedContainer } from "../config/resolved.ts"
import type { ReadyCheck } from "../config/schema.ts"
import { DEFAULTS } from "../config/schema.ts"
import { formatDuration, parseDuration } from "../duration.ts"
import { ExternalError, InputError } from "../errors.ts"
import { inspectContainer, type EffectivePorts } from "./containers.ts"
import { execRun } from "./exec.ts"
import { followLogs, lastLines, type LogFollower } from "./logs.ts"

export interface ReadyContext {
  /** container id */
  id: string
  container: ResolvedContainer
  ports: EffectivePorts
  /** the container's address on the devrig network, reachable from the host on Linux */
  ip?: string
  /** where the checked run's output begins (ContainerInfo.runLogsSince): the log check reads only that */
  logsSince?: string
  /**
   * @deprecated pass `logsSince`. The run's State.StartedAt; the engine records it after the
   * process may already have written its first lines, so it is used with a second's margin.
   */
  startedAt?: string
  /** when the timeout starts counting (epoch ms): the container's start; default now */
  since?: number
  signal?: AbortSignal
  /** called after each failed attempt (for a "waiting for postgres…" detail) */
  onAttempt?: (attempt: number, output: string) => void
}

interface Attempt {
  ok: boolean
  output: string
}

type Probe = (remainingMs: number) => Promise<Attempt>

const FIRST_DELAY_MS = 100
const MAX_DELAY_MS = 2000
const PROBE_TIMEOUT_MS = 5000
/**
 * A probe gets at least this long even right before the deadline: a last attempt cut to a few
 * milliseconds would only report "timed out" instead of what the check actually says.
 */
const MIN_PROBE_MS = 1000

export function describeCheck(check: ReadyCheck): string {
  switch (check.type) {
    case "pg_isready":
      return "pg_isready"
    case "cmd":
      return `cmd \`${Array.isArray(check.command) ? check.command.join(" ") : check.command}\`${check.expect ? ` expecting "${check.expect}"` : ""}`
    case "http":
      return `http ${check.url ?? "GET /"}`
    case "tcp":
      return `tcp${check.port ? ` ${check.port}` : ""}`
    case "log":
      return `log "${check.match}"`
  }
}

/** The user pg_isready and init SQL run as: ready_check.user, else POSTGRES_USER, else postgres. */
export function postgresUser(c: ResolvedContainer): string {
  const rc = c.readyCheck
  return (rc?.type === "pg_isready" ? rc.user : undefined) ?? c.env.POSTGRES_USER ?? "postgres"
}

/** Waits until `check` passes; throws ExternalError on timeout or when the container exits. */
export async function waitReady(ctx: ReadyContext, check: ReadyCheck): Promise<void> {
  const timeoutMs = check.timeout !== undefined ? parseDuration(check.timeout) : DEFAULTS.readyTimeoutMs
  const deadline = (ctx.since ?? Date.now()) + timeoutMs
  let follower: LogFollower | undefined
  const probe = await _probe(ctx, check, (f) => (follower = f))
  let last: Attempt = { ok: false, output: "" }
  let delay = FIRST_DELAY_MS
  try {
    for (let attempt = 1; ; attempt++) {
      if (ctx.signal?.aborted) throw new ExternalError(`[docker.${ctx.container.name}] ready check cancelled`)
      last = await probe(Math.max(MIN_PROBE_MS, deadline - Date.now())).catch((e: Error) => ({ ok: false, output: e.message }))
      if (last.ok) return
      const state = await inspectContainer(ctx.id)
      if (!state?.running) {
        throw await _failure(ctx, `[docker.${ctx.container.name}] exited${state ? ` with code ${state.exitCode}` : ""} before its ready check passed`, last.output)
      }
      ctx.onAttempt?.(attempt, last.output)
      const left = deadline - Date.now()
      if (left <= 0) break
      // Shortened before the deadline, so the last attempt happens at it.
      await Bun.sleep(Math.min(delay, left))
      delay = Math.min(delay * 2, MAX_DELAY_MS)
    }
  } finally {
    follower?.stop()
  }
  throw await _failure(ctx, `[docker.${ctx.container.name}] ready check (${describeCheck(check)}) did not pass within ${formatDuration(timeoutMs)}`, last.output)
}

async function _failure(ctx: ReadyContext, message: string, output: string): Promise<ExternalError> {
  const logs = await lastLines(ctx.id, 20).catch(() => [])
  const details = [`last check output: ${output.trim() || "(none)"}`]
  details.push(logs.length ? "last 20 log lines:" : "the container wrote no output")
  for (const l of logs) details.push(`  ${l.line}`)
  return new ExternalError(message, {
    details,
    hint: `Check the container's output (devrig logs ${ctx.container.name}) and ready_check in devrig.toml`,
  })
}

async function _probe(ctx: ReadyContext, check: ReadyCheck, setFollower: (f: LogFollower) => void): Promise<Probe> {
  const c = ctx.container
  switch (check.type) {
    case "pg_isready": {
      // Over TCP, not the socket: the official image's first-run temporary server listens on the
      // socket only, and passing then would run init scripts against a server about to restart.
      const port = ctx.ports.main?.container ?? 5432
      const argv = ["pg_isready", "-h", "127.0.0.1", "-p", String(port), "-U", postgresUser(c)]
      return (ms) => _exec(ctx.id, argv, ms)
    }
    case "cmd": {
      const argv = Array.isArray(check.command) ? check.command : ["sh", "-c", check.command]
      return async (ms) => {
        const r = await _exec(ctx.id, argv, ms)
        return { ok: r.ok && (check.expect === undefined || r.output.includes(check.expect)), output: r.output }
      }
    }
    case "http": {
      const url = check.url ?? `http://localhost:${_hostPort(ctx, "http")}/`
      return async (ms) => {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(Math.min(ms, PROBE_TIMEOUT_MS)) })
          const body = (await res.text()).slice(0, 200)
          return { ok: res.status >= 200 && res.status < 300, output: `HTTP ${res.status} from ${url}${body ? `: ${body}` : ""}` }
        } catch (e) {
          return { ok: false, output: `${url}: ${(e as Error).message}` }
        }
      }
    }
    case "tcp":
      return _tcpProbe(ctx, _containerPort(ctx, check.port))
    case "log": {
      let matched = false
      const recent: string[] = []
      const f = await followLogs(
        ctx.id,
        (_s, line) => {
          if (line.includes(check.match)) matched = true
          recent.push(line)
          if (recent.length > 5) recent.shift()
        },
        { since: ctx.logsSince ?? _earlier(ctx.startedAt, 1000) },
      )
      setFollower(f)
      return async () => ({ ok: matched, output: matched ? "" : `"${check.match}" not seen yet${recent.length ? `; last line: ${recent.at(-1)}` : ""}` })
    }
  }
}

function _earlier(rfc3339: string | undefined, ms: number): string | undefined {
  const t = rfc3339 ? Date.parse(rfc3339) : Number.NaN
  return Number.isFinite(t) && t > 0 ? new Date(t - ms).toISOString() : undefined
}

async function _exec(id: string, argv: string[], remainingMs: number): Promise<Attempt> {
  const r = await execRun(id, argv, { timeoutMs: Math.min(remainingMs, PROBE_TIMEOUT_MS) })
  const output = r.timedOut ? `\`${argv.join(" ")}\` timed out` : r.output || `exit code ${r.exitCode}`
  return { ok: r.exitCode === 0, output }
}

function _hostPort(ctx: ReadyContext, what: string): number {
  const all = [ctx.ports.main, ...Object.values(ctx.ports.named)].filter((p) => !!p)
  const p = ctx.ports.main ?? (all.length === 1 ? all[0] : undefined)
  if (!p) throw new InputError(`[docker.${ctx.container.name}] the ${what} ready check needs ${all.length ? "a url (the container has several ports)" : "a published port or a url"}`)
  return p.host
}

/** ready_check.port may name the host side of a published port or a port inside the container. */
function _containerPort(ctx: ReadyContext, port?: number): number {
  const all = [ctx.ports.main, ...Object.values(ctx.ports.named)].filter((p) => !!p)
  if (port !== undefined) return all.find((p) => p.host === port)?.container ?? port
  const p = ctx.ports.main ?? (all.length === 1 ? all[0] : undefined)
  if (!p) throw new InputError(`[docker.${ctx.container.name}] the tcp ready check needs a port (set ready_check.port)`)
  return p.container
}

/**
 * A published host port is answered by docker-proxy whether or not anything listens inside, so
 * the check goes to the container itself: its network address (Linux), or — when that address is
 * not reachable from here (Docker Desktop's VM) — the container's own table of listening sockets.
 */
function _tcpProbe(ctx: ReadyContext, port: number): Probe {
  let ipReachable = !!ctx.ip
  return async (ms) => {
    if (ipReachable && ctx.ip) {
      const r = await tcpConnect(ctx.ip, port, Math.min(ms, 1000))
      if (r === "open") return { ok: true, output: `${ctx.ip}:${port} accepted a connection` }
      if (r === "refused") return { ok: false, output: `${ctx.ip}:${port} refused the connection` }
      ipReachable = false
    }
    const r = await execRun(ctx.id, ["cat", "/proc/net/tcp", "/proc/net/tcp6"], { timeoutMs: Math.min(ms, PROBE_TIMEOUT_MS) })
    if (r.exitCode !== 0) return { ok: false, output: `cannot reach the container's address, and reading /proc/net/tcp inside failed: ${r.output}` }
    const ok = isListening(r.stdout, port)
    return { ok, output: ok ? `port ${port} is listening` : `nothing listens on port ${port} inside the container` }
  }
}

export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<"open" | "refused" | "unreachable"> {
  return new Promise((resolve) => {
    const s = connect({ host, port })
    const done = (r: "open" | "refused" | "unreachable") => {
      clearTimeout(timer)
      s.destroy()
      resolve(r)
    }
    const timer = setTimeout(() => done("unreachable"), timeoutMs)
    s.once("connect", () => done("open"))
    s.once("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED" ? "refused" : "unreachable"))
  })
}

/** True when /proc/net/tcp{,6} text shows a socket in LISTEN state (0A) on `port`. */
export function isListening(procNetTcp: string, port: number): boolean {
  for (const line of procNetTcp.split("\n")) {
    const cols = line.trim().split(/\s+/)
    if (cols.length < 4 || cols[3] !== "0A") continue
    const local = cols[1]?.split(":")[1]
    if (local && Number.parseInt(local, 16) === port) return true
  }
  return false
}
