/**
 * Metric data points grouped into series (name + service + attributes). The cap counts points
 * across all series. A global FIFO holds one series reference per point in arrival order, so
 * evicting the oldest point is: pop the front series, shift that series' oldest point.
 */
import { Fifo } from "./fifo.ts"
import { approxBytes } from "./attrs.ts"
import type { Attributes, MetricPoint, MetricType } from "./model.ts"

export interface StoredPoint {
  point: MetricPoint
  timeMs: number
  receivedAt: number
}

export interface Series {
  key: string
  metric: MetricEntry
  service: string
  attributes: Attributes
  points: Fifo<StoredPoint>
}

export interface MetricEntry {
  name: string
  type: MetricType
  unit: string
  description: string
  monotonic?: boolean
  temporality?: "cumulative" | "delta" | "unspecified"
  /** service → number of series of that service */
  services: Map<string, number>
  series: Map<string, Series>
  points: number
  lastMs: number
}

export interface IncomingPoint {
  name: string
  type: MetricType
  unit: string
  description: string
  monotonic?: boolean
  temporality?: "cumulative" | "delta" | "unspecified"
  service: string
  attributes: Attributes
  attributesKey: string
  stored: StoredPoint
}

function pointBytes(p: StoredPoint): number {
  return 120 + approxBytes(p.point)
}

function seriesBytes(s: Series): number {
  return 300 + s.key.length + approxBytes(s.attributes)
}

export class MetricStore {
  readonly byName = new Map<string, MetricEntry>()
  private readonly queue = new Fifo<Series>(1024)
  received = 0
  evicted = 0
  seriesCount = 0
  /** points held (the queue may also hold stale entries of dropped series) */
  pointCount = 0
  /** approximate heap bytes of points and series held (the store's byte budget counts these) */
  bytes = 0

  constructor(readonly limits: { maxPoints: number; retentionMs: number }) {}

  /** Returns the names of metrics that received points. */
  add(points: IncomingPoint[], now: number): Set<string> {
    const touched = new Set<string>()
    this.received += points.length
    for (const p of points) {
      let m = this.byName.get(p.name)
      if (!m) {
        m = { name: p.name, type: p.type, unit: p.unit, description: p.description, services: new Map(), series: new Map(), points: 0, lastMs: 0 }
        this.byName.set(p.name, m)
      }
      // a metric that changes type keeps its latest shape; old series are dropped to keep points uniform
      if (m.type !== p.type) this.dropMetricSeries(m)
      m.type = p.type
      m.unit = p.unit || m.unit
      m.description = p.description || m.description
      m.monotonic = p.monotonic
      m.temporality = p.temporality
      const key = p.service + "\u0000" + p.attributesKey
      let s = m.series.get(key)
      if (!s) {
        s = { key, metric: m, service: p.service, attributes: p.attributes, points: new Fifo(8) }
        m.series.set(key, s)
        m.services.set(p.service, (m.services.get(p.service) ?? 0) + 1)
        this.seriesCount++
        this.bytes += seriesBytes(s)
      }
      s.points.push(p.stored)
      this.bytes += pointBytes(p.stored)
      m.points++
      this.pointCount++
      if (p.stored.timeMs > m.lastMs) m.lastMs = p.stored.timeMs
      this.queue.push(s)
      touched.add(p.name)
    }
    while (this.pointCount > this.limits.maxPoints || this.queue.length > 2 * this.limits.maxPoints) this.evictOldest()
    this.prune(now)
    return touched
  }

  prune(now: number): void {
    const cutoff = now - this.limits.retentionMs
    for (;;) {
      const s = this.queue.peek()
      if (!s) return
      // a dropped series leaves stale queue entries behind; they are skipped here
      const oldest = s.points.peek()
      if (oldest && oldest.receivedAt >= cutoff && s.metric.series.get(s.key) === s) return
      this.evictOldest()
    }
  }

  clear(): void {
    this.byName.clear()
    this.queue.clear()
    this.seriesCount = 0
    this.pointCount = 0
    this.bytes = 0
  }

  /** Arrival time of the oldest live point (stale entries of dropped series are skipped). */
  oldestArrival(): number | undefined {
    for (;;) {
      const s = this.queue.peek()
      if (!s) return undefined
      const oldest = s.points.peek()
      if (oldest && s.metric.series.get(s.key) === s) return oldest.receivedAt
      this.queue.shift()
    }
  }

  evictOldest(): void {
    const s = this.queue.shift()
    if (!s) return
    if (s.metric.series.get(s.key) !== s || s.points.length === 0) return
    this.bytes -= pointBytes(s.points.shift()!)
    s.metric.points--
    this.pointCount--
    this.evicted++
    if (s.points.length === 0) this.removeSeries(s)
  }

  private removeSeries(s: Series): void {
    const m = s.metric
    m.series.delete(s.key)
    this.seriesCount--
    this.bytes -= seriesBytes(s)
    const n = (m.services.get(s.service) ?? 1) - 1
    if (n <= 0) m.services.delete(s.service)
    else m.services.set(s.service, n)
    if (m.series.size === 0 && this.byName.get(m.name) === m) this.byName.delete(m.name)
  }

  private dropMetricSeries(m: MetricEntry): void {
    for (const s of [...m.series.values()]) {
      this.evicted += s.points.length
      m.points -= s.points.length
      this.pointCount -= s.points.length
      for (let i = 0; i < s.points.length; i++) this.bytes -= pointBytes(s.points.at(i))
      this.bytes -= seriesBytes(s)
      s.points.clear()
      m.series.delete(s.key)
      this.seriesCount--
    }
    m.services.clear()
  }
}
