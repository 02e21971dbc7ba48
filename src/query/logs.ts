/**
 * Log queries. Candidates come from the narrowest index (trace id, service, or the whole
 * ring); the ring is in arrival order, so the scan runs newest-first, skips arrivals that are
 * too old for `from` with a binary search, and stops at `limit`.
 */
import type { StoredLog } from "../otel/store-logs.ts"
import type { TelemetryStore } from "../otel/store.ts"
import type { LogLevel, LogRecord } from "../otel/model.ts"
import { DEFAULT_WINDOW_MS, timeRange } from "./traces.ts"

/** How far a sender's clock may run ahead of ours before `from` filtering misses records. */
const CLOCK_SKEW_MS = 60_000

export interface LogQuery {
  service?: string
  levels?: LogLevel[]
  /** case-insensitive substring of the body */
  search?: string
  traceId?: string
  /** a trace id: logs carrying it, plus logs of its services in its time window ± windowMs */
  aroundTrace?: string
  /** a timestamp: logs within ± windowMs */
  around?: number
  windowMs?: number
  from?: number
  to?: number
  limit?: number
  /** only records that arrived at or after this time (ms) */
  arrivedAfter?: number
  /** otlp: sent by the services' SDKs; output: their stdout/stderr lines; events: devrig's lifecycle events */
  source?: LogSource
}

export type LogSource = "otlp" | "output" | "events"

/** Where a record came from (devrig marks its own records by scope). */
export function logSource(rec: Pick<LogRecord, "scope">): LogSource {
  if (rec.scope.name === "devrig.lifecycle") return "events"
  if (rec.scope.name === "devrig.stdout") return "output"
  return "otlp"
}

const bodyText = new WeakMap<StoredLog, string>()

function lowerBody(l: StoredLog): string {
  let s = bodyText.get(l)
  if (s === undefined) {
    const b = l.body
    s = (typeof b === "string" ? b : JSON.stringify(b)).toLowerCase()
    bodyText.set(l, s)
  }
  return s
}

export function queryLogs(store: TelemetryStore, q: LogQuery): LogRecord[] {
  store.prune()
  const limit = q.limit ?? 100
  let { from, to } = timeRange(q)
  const levels = q.levels?.length ? new Set(q.levels) : undefined
  const search = q.search?.toLowerCase()
  let services: Set<string> | undefined = q.service ? new Set([q.service]) : undefined
  let orTrace: string | undefined

  if (q.aroundTrace) {
    const t = store.traces.byId.get(q.aroundTrace)
    orTrace = q.aroundTrace
    if (t) {
      const w = q.windowMs ?? DEFAULT_WINDOW_MS
      from = Math.max(from ?? -Infinity, t.startMs - w)
      to = Math.min(to ?? Infinity, t.endMs + w)
      services = services ? new Set([...services].filter((s) => t.services.includes(s))) : new Set(t.services)
    } else {
      services = new Set() // unknown trace: only records carrying the id can match
    }
  }

  const match = (l: StoredLog): boolean => {
    const inWindow = (from === undefined || l.timeMs >= from) && (to === undefined || l.timeMs <= to)
    if (orTrace) {
      const sameTrace = l.traceId === orTrace
      if (!sameTrace && !(inWindow && services!.has(l.service))) return false
    } else {
      if (!inWindow) return false
      if (services && !services.has(l.service)) return false
    }
    if (q.traceId && l.traceId !== q.traceId) return false
    if (q.arrivedAfter !== undefined && l.receivedAt < q.arrivedAfter) return false
    if (q.source && logSource(l) !== q.source) return false
    if (levels && !levels.has(l.level)) return false
    if (search && !lowerBody(l).includes(search)) return false
    return true
  }

  // Scan newest arrival first. Once `limit` hits are held, only records timestamped after the
  // weakest hit can still displace one, and a record that arrived more than CLOCK_SKEW_MS
  // before that timestamp cannot be one of them: stop there.
  let hits: StoredLog[] = []
  let threshold = -Infinity
  const seen = new Set<StoredLog>()
  const compact = () => {
    hits.sort((a, b) => b.timeMs - a.timeMs)
    if (hits.length > limit) hits = hits.slice(0, limit)
    if (hits.length === limit) threshold = hits[limit - 1]!.timeMs
  }
  const consider = (l: StoredLog): boolean => {
    if (hits.length >= limit && l.receivedAt + CLOCK_SKEW_MS < threshold) return false
    if (l.timeMs <= threshold || seen.has(l) || !match(l)) return true
    hits.push(l)
    seen.add(l)
    if (hits.length >= limit * 2 || (hits.length === limit && threshold === -Infinity)) compact()
    return true
  }
  const traceKey = q.traceId ?? orTrace
  const byTrace = traceKey ? (store.logs.byTrace.get(traceKey) ?? []) : []
  for (let i = byTrace.length - 1; i >= 0; i--) if (!consider(byTrace[i]!)) break
  if (!q.traceId) {
    const sources = services ? [...services].map((s) => store.logs.byService.get(s)).filter((f) => f !== undefined) : [store.logs.ring]
    for (const src of sources) {
      const start = from === undefined ? 0 : src.lowerBound((l) => l.receivedAt, from - CLOCK_SKEW_MS)
      src.eachNewest(consider, start)
    }
  }
  hits.sort((a, b) => b.timeMs - a.timeMs)
  return hits.slice(0, limit).map((l) => l.rec)
}
