/**
 * Turns metric series from the API into uPlot-ready columns (pure; unit-tested). Histograms become
 * p50/p90/p99 lines, computed from per-interval bucket deltas when the temporality is cumulative.
 */
import type { ExponentialHistogramPoint, HistogramPoint, MetricSeries, NumberPoint, SummaryPoint } from "../../../src/server/api-types.ts"

export interface Line {
  label: string
  service: string
  /** value per x (null where the series has no point) */
  values: (number | null)[]
  kind?: "p50" | "p90" | "p99"
}
export interface Columns {
  /** unix seconds, ascending */
  xs: number[]
  lines: Line[]
}

export const QUANTILES = [
  ["p50", 0.5],
  ["p90", 0.9],
  ["p99", 0.99],
] as const

const sec = (p: { timeUnixNano: string }) => Math.round(Number(p.timeUnixNano) / 1e6) / 1000

export const seriesLabel = (s: MetricSeries) => {
  const attrs = Object.entries(s.attributes)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ")
  return attrs ? `${s.service} ${attrs}` : s.service
}

/** Value at quantile q of a distribution given by upper bounds and counts (linear inside a bucket). */
export function quantile(bounds: number[], counts: number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0)
  if (total <= 0) return null
  const rank = q * total
  let seen = 0
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!
    if (c > 0 && seen + c >= rank) {
      const lo = i === 0 ? Math.min(0, bounds[0] ?? 0) : bounds[i - 1]!
      const hi = i < bounds.length ? bounds[i]! : (bounds[bounds.length - 1] ?? lo) * 1.5 || lo + 1
      return lo + (hi - lo) * ((rank - seen) / c)
    }
    seen += c
  }
  return bounds[bounds.length - 1] ?? null
}

function expToExplicit(p: ExponentialHistogramPoint): { bounds: number[]; counts: number[] } {
  const base = 2 ** (2 ** -p.scale)
  const bounds: number[] = [0]
  const counts: number[] = [p.zeroCount]
  p.positive.bucketCounts.forEach((c, i) => {
    bounds.push(base ** (p.positive.offset + i + 1))
    counts.push(c)
  })
  counts.push(0)
  return { bounds, counts }
}

function histCounts(p: HistogramPoint | ExponentialHistogramPoint) {
  return "bounds" in p ? { bounds: p.bounds, counts: p.bucketCounts } : expToExplicit(p)
}

/** Per-interval counts: cumulative points minus their predecessor (a reset starts over). */
export function intervalCounts(points: (HistogramPoint | ExponentialHistogramPoint)[], cumulative: boolean) {
  return points.map((p, i) => {
    const cur = histCounts(p)
    const prev = i > 0 ? histCounts(points[i - 1]!) : undefined
    if (!cumulative || !prev || prev.counts.length !== cur.counts.length || p.count < points[i - 1]!.count) return { t: sec(p), ...cur }
    return { t: sec(p), bounds: cur.bounds, counts: cur.counts.map((c, j) => c - prev.counts[j]!) }
  })
}

export function toColumns(series: MetricSeries[], opts: { cumulative?: boolean } = {}): Columns {
  const xset = new Set<number>()
  const perLine: { label: string; service: string; kind?: Line["kind"]; pts: Map<number, number | null> }[] = []
  for (const s of series) {
    const label = seriesLabel(s)
    if (s.type === "gauge" || s.type === "sum") {
      const pts = new Map<number, number | null>()
      for (const p of s.points as NumberPoint[]) pts.set(sec(p), p.value)
      perLine.push({ label, service: s.service, pts })
    } else if (s.type === "summary") {
      for (const [name, q] of QUANTILES) {
        const pts = new Map<number, number | null>()
        for (const p of s.points as SummaryPoint[]) pts.set(sec(p), p.quantiles.find((x) => Math.abs(x.quantile - q) < 1e-9)?.value ?? null)
        perLine.push({ label: `${label} ${name}`, service: s.service, kind: name, pts })
      }
    } else {
      const rows = intervalCounts(s.points as HistogramPoint[], opts.cumulative ?? true)
      for (const [name, q] of QUANTILES) {
        const pts = new Map<number, number | null>()
        for (const r of rows) pts.set(r.t, quantile(r.bounds, r.counts, q))
        perLine.push({ label: `${label} ${name}`, service: s.service, kind: name, pts })
      }
    }
    for (const l of perLine) for (const x of l.pts.keys()) xset.add(x)
  }
  const xs = [...xset].sort((a, b) => a - b)
  return { xs, lines: perLine.map((l) => ({ label: l.label, service: l.service, kind: l.kind, values: xs.map((x) => l.pts.get(x) ?? null) })) }
}

/** Total bucket counts over the window, for the "buckets" view of a histogram. */
export function bucketTotals(series: MetricSeries[], cumulative = true): { bounds: number[]; counts: number[] } | null {
  let bounds: number[] | null = null
  let counts: number[] = []
  for (const s of series) {
    if (s.type !== "histogram") continue
    for (const r of intervalCounts(s.points as HistogramPoint[], cumulative)) {
      if (!bounds) (bounds = r.bounds), (counts = r.counts.map(() => 0))
      if (r.counts.length !== counts.length) continue
      r.counts.forEach((c, i) => (counts[i]! += Math.max(0, c)))
    }
  }
  return bounds ? { bounds, counts } : null
}

/** Distinct `key=value` labels across series, for the label filter. */
export function labelOptions(series: MetricSeries[]): string[] {
  const s = new Set<string>()
  for (const x of series) for (const [k, v] of Object.entries(x.attributes)) s.add(`${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
  return [...s].sort()
}

export function matchesLabel(s: MetricSeries, label: string | undefined) {
  if (!label) return true
  const i = label.indexOf("=")
  const v = s.attributes[label.slice(0, i)]
  return (typeof v === "string" ? v : JSON.stringify(v)) === label.slice(i + 1)
}
