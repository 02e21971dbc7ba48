/**
 * Everything related to one trace: logs carrying its id (exact), then logs and metric points
 * of the trace's services inside its time window ± 5 s (approximate, the PRD's fallback) —
 * including devrig's lifecycle events (service `devrig`) about those services, so a crash or
 * restart next to an error trace shows up with it.
 */
import { isoFromMs } from "../otel/attrs.ts"
import type { TelemetryStore } from "../otel/store.ts"
import type { MetricSeries, RelatedTelemetry } from "../server/api-types.ts"
import { queryLogs } from "./logs.ts"
import { metricSeries } from "./metrics.ts"
import { DEFAULT_WINDOW_MS, summarize } from "./traces.ts"

export function related(store: TelemetryStore, traceId: string, opts: { windowMs?: number; limit?: number } = {}): RelatedTelemetry | undefined {
  store.prune()
  const t = store.traces.byId.get(traceId)
  if (!t) return undefined
  const w = opts.windowMs ?? DEFAULT_WINDOW_MS
  const limit = opts.limit ?? 500
  const from = t.startMs - w
  const to = t.endMs + w
  const logs = queryLogs(store, { traceId, limit })
  const nearbyLogs: RelatedTelemetry["nearbyLogs"] = []
  for (const service of t.services) {
    for (const l of queryLogs(store, { service, from, to, limit })) if (l.traceId !== traceId) nearbyLogs.push(l)
  }
  if (!t.services.has("devrig"))
    for (const l of queryLogs(store, { service: "devrig", from, to, limit })) if (t.services.has(String(l.attributes["devrig.component"]))) nearbyLogs.push(l)
  nearbyLogs.sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0))
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
    nearbyLogs: nearbyLogs.slice(0, limit),
    metrics,
  }
}
