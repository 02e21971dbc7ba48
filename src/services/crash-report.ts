/**
 * One compact report when a service crashes: how it ended, its last output lines, the error logs
 * and error spans of the minute before, and what changed in its command or environment since it
 * last started well. Printed once per crash episode, kept on its status for `query status` and
 * the dashboard.
 */
import type { TelemetryStore } from "../otel/store.ts"
import { queryLogs } from "../query/logs.ts"
import { listTraces } from "../query/traces.ts"

export interface CrashReport {
  service: string
  time: string
  exitCode: number | null
  signal: string | null
  restarts: number
  lines: string[]
  errorLogs: { timestamp: string; body: string }[]
  errorSpans: { traceId: string; operation: string; timestamp: string }[]
  /** "PORT: 3000 → 3001", "command: … → …" */
  changes: string[]
}

export interface GoodStart {
  command: string
  env: Record<string, string>
  /** env as it may be shown: secrets and credentials from them masked (shownEnv) */
  shown?: Record<string, string>
}

const WINDOW_MS = 60_000

export function buildCrashReport(o: {
  service: string
  exitCode: number | null
  signal: string | null
  restarts: number
  lines: string[]
  store?: TelemetryStore
  lastGood?: GoodStart
  current: GoodStart
  secretKeys: string[]
}): CrashReport {
  const now = Date.now()
  const errorLogs = o.store
    ? queryLogs(o.store, { service: o.service, levels: ["error", "fatal"], from: now - WINDOW_MS, limit: 5 }).map((l) => ({
        timestamp: l.timestamp,
        body: typeof l.body === "string" ? l.body : JSON.stringify(l.body),
      }))
    : []
  const errorSpans = o.store
    ? listTraces(o.store, { service: o.service, status: "error", from: now - WINDOW_MS, limit: 5 }).map((t) => ({ traceId: t.traceId, operation: t.operation, timestamp: t.timestamp }))
    : []
  return {
    service: o.service,
    time: new Date(now).toISOString(),
    exitCode: o.exitCode,
    signal: o.signal,
    restarts: o.restarts,
    lines: o.lines.slice(-30),
    errorLogs,
    errorSpans,
    changes: o.lastGood ? changes(o.lastGood, o.current, new Set(o.secretKeys)) : [],
  }
}

function changes(before: GoodStart, after: GoodStart, secret: Set<string>): string[] {
  const out: string[] = []
  if (before.command !== after.command) out.push(`command: ${before.command} → ${after.command}`)
  const show = (g: GoodStart, k: string) => {
    const v = g.env[k]
    return v === undefined ? "(unset)" : secret.has(k) ? "****" : (g.shown?.[k] ?? v)
  }
  for (const k of new Set([...Object.keys(before.env), ...Object.keys(after.env)]))
    if (before.env[k] !== after.env[k]) out.push(`${k}: ${show(before, k)} → ${show(after, k)}`)
  return out.sort()
}

export function renderCrashReport(r: CrashReport): string[] {
  const how = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`
  const out = [`crash report: ${r.service} (${how}, ${r.restarts} restart${r.restarts === 1 ? "" : "s"} so far)`]
  if (r.lines.length) out.push("  last output:", ...r.lines.map((l) => `    | ${l}`))
  if (r.errorLogs.length) out.push("  error logs in the minute before:", ...r.errorLogs.map((l) => `    ${l.timestamp}  ${l.body}`))
  if (r.errorSpans.length) out.push("  error spans in the minute before:", ...r.errorSpans.map((s) => `    ${s.timestamp}  ${s.operation}  trace ${s.traceId}`))
  out.push(r.changes.length ? "  changed since its last good start:" : "  nothing changed in its command or environment since its last good start")
  for (const c of r.changes) out.push(`    ${c}`)
  return out
}
