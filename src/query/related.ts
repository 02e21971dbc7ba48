/**
 * Everything related to one trace: first the logs carrying its id (exact, oldest first), then a
 * handful of warn/error logs of the trace's services inside its time window ± 5 s that carry no
 * (or another) trace id, each marked `nearby` — including devrig's lifecycle events (service
 * `devrig`) about those services, so a crash or restart next to an error trace shows up with it.
 * Info-level neighbours are noise for "why did this fail" and come only with `all`.
 */
import { isoFromMs } from "../otel/attrs.ts"
import type { TelemetryStore } from "../otel/store.ts"
import type { LogLevel, LogRecord, MetricSeries, RelatedTelemetry } from "../otel/model.ts"
import { queryLogs } from "./logs.ts"
import { metricSeries } from "./metrics.ts"
import { DEFAULT_WINDOW_MS, summarize } from "./traces.ts"

/** nearby logs kept without `all` */
export const NEARBY_LIMIT = 10
const SERIOUS: LogLevel[] = ["warn", "error", "fatal"]

export function related(store: TelemetryStore, traceId: string, opts: { windowMs?: number; limit?: number; all?: boolean } = {}): RelatedTelemetry | undefined {
  store.prune()
  const t = store.traces.byId.get(traceId)
  if (!t) return undefined
  const w = opts.windowMs ?? DEFAULT_WINDOW_MS
  const limit = opts.limit ?? 500
  const from = t.startMs - w
  const to = t.endMs + w
  const logs = queryLogs(store, { traceId, limit }).reverse()
  const levels = opts.all ? undefined : SERIOUS
  const nearby: LogRecord[] = []
  for (const service of t.services) {
    for (const l of queryLogs(store, { service, from, to, limit, levels })) if (l.traceId !== traceId) nearby.push(l)
  }
  // lifecycle events (a crash, a restart) are never noise next to a trace
  if (!t.services.includes("devrig"))
    for (const l of queryLogs(store, { service: "devrig", from, to, limit })) if (t.services.includes(String(l.attributes["devrig.component"]))) nearby.push(l)
  nearby.sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0))
  const metrics: MetricSeries[] = []
  for (const m of store.metrics.byName.values()) {
    for (const service of t.services) {
      if (!m.services.has(service)) continue
      metrics.push(...metricSeries(store, { name: m.name, service, from, to }))
    }
  }
  return {
    trace: summarize(t),
    window: { from: isoFromMs(from), to: isoFromMs(to) },
    logs,
    nearbyLogs: nearby.slice(0, opts.all ? limit : Math.min(limit, NEARBY_LIMIT)).map((l) => ({ ...l, nearby: true as const })),
    metrics,
  }
}
