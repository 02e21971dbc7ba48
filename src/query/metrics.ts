/** Metric catalog and series queries: pure functions over the metric store. */
import { isoFromMs } from "../otel/attrs.ts"
import type { TelemetryStore } from "../otel/store.ts"
import type { MetricInfo, MetricSeries } from "../otel/model.ts"
import { bucketsOf, percentilesOf, seriesPercentiles } from "./percentiles.ts"

export interface MetricListQuery {
  service?: string
  /** case-insensitive substring of the name */
  search?: string
}

export interface MetricSeriesQuery {
  name: string
  service?: string
  /** attribute filters: the series' attribute must equal the value (compared as strings) */
  labels?: Record<string, string>
  /** only points within the last N ms (of now) */
  lastMs?: number
  from?: number
  to?: number
  /** most recent points kept per series */
  limit?: number
  /** only series that received a point at or after this time (ms) */
  arrivedAfter?: number
}

export function listMetrics(store: TelemetryStore, q: MetricListQuery = {}): MetricInfo[] {
  store.prune()
  const search = q.search?.toLowerCase()
  const out: MetricInfo[] = []
  for (const m of store.metrics.byName.values()) {
    if (q.service && !m.services.has(q.service)) continue
    if (search && !m.name.toLowerCase().includes(search)) continue
    out.push({
      name: m.name,
      type: m.type,
      unit: m.unit,
      description: m.description,
      services: [...m.services.keys()].sort(),
      series: m.series.size,
      points: m.points,
      lastTimestamp: isoFromMs(m.lastMs),
      ...(m.monotonic !== undefined ? { monotonic: m.monotonic } : {}),
      ...(m.temporality ? { temporality: m.temporality } : {}),
    })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

function labelMatches(attrs: Record<string, unknown>, labels: Record<string, string> | undefined): boolean {
  if (!labels) return true
  for (const [k, v] of Object.entries(labels)) {
    const a = attrs[k]
    if (a === undefined || (typeof a === "string" ? a : JSON.stringify(a)) !== v) return false
  }
  return true
}

export function metricSeries(store: TelemetryStore, q: MetricSeriesQuery): MetricSeries[] {
  store.prune()
  const m = store.metrics.byName.get(q.name)
  if (!m) return []
  let from = q.from
  if (q.lastMs !== undefined) from = Math.max(from ?? -Infinity, store.now() - q.lastMs)
  const out: MetricSeries[] = []
  for (const s of m.series.values()) {
    if (q.service && s.service !== q.service) continue
    if (!labelMatches(s.attributes, q.labels)) continue
    const points = []
    let arrived = q.arrivedAfter === undefined
    for (let i = 0; i < s.points.length; i++) {
      const p = s.points.at(i)
      if (!arrived && p.receivedAt >= q.arrivedAfter!) arrived = true
      if (from !== undefined && p.timeMs < from) continue
      if (q.to !== undefined && p.timeMs > q.to) continue
      points.push(p)
    }
    if (points.length === 0 || !arrived) continue
    points.sort((a, b) => a.timeMs - b.timeMs)
    const kept = q.limit !== undefined && points.length > q.limit ? points.slice(points.length - q.limit) : points
    const histogram = m.type === "histogram" || m.type === "exponential_histogram"
    const pts = kept.map((p) => {
      const pc = histogram ? percentilesOf(bucketsOf(p.point) ?? []) : undefined
      return pc ? { ...p.point, percentiles: pc } : p.point
    })
    const pc = histogram ? seriesPercentiles(pts, m.temporality) : undefined
    out.push({ name: m.name, type: m.type, unit: m.unit, service: s.service, attributes: s.attributes, ...(pc ? { percentiles: pc } : {}), points: pts })
  }
  return out.sort((a, b) => a.service.localeCompare(b.service) || JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)))
}
