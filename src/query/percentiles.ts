/**
 * p50/p90/p99 of histogram points, so an agent reads "p99 = 480 ms" instead of bucket arrays.
 * Estimated like Prometheus' histogram_quantile: linear inside the bucket holding the rank, the
 * open-ended buckets closed by the point's min/max when the sender recorded them.
 */
import type { ExponentialHistogramPoint, HistogramPoint, MetricPoint } from "../otel/model.ts"

export interface Percentiles {
  /** observations the estimate is over */
  count: number
  p50: number
  p90: number
  p99: number
}

type Bucket = [lo: number, hi: number, count: number]

function explicitBuckets(p: HistogramPoint): Bucket[] {
  const out: Bucket[] = []
  const b = p.bounds
  for (let i = 0; i < p.bucketCounts.length; i++) {
    let lo = i === 0 ? (p.min ?? Math.min(0, b[0] ?? 0)) : b[i - 1]!
    let hi = i < b.length ? b[i]! : (p.max ?? b[b.length - 1] ?? lo)
    // no observation lies outside [min, max]: a bucket holding either is narrower than its bounds
    if (p.min !== undefined && p.min > lo) lo = Math.min(p.min, hi)
    if (p.max !== undefined && p.max < hi) hi = Math.max(p.max, lo)
    out.push([lo, Math.max(lo, hi), p.bucketCounts[i]!])
  }
  return out
}

function exponentialBuckets(p: ExponentialHistogramPoint): Bucket[] {
  const base = 2 ** (2 ** -p.scale)
  const out: Bucket[] = []
  const neg = p.negative.bucketCounts
  for (let k = neg.length - 1; k >= 0; k--) {
    const i = p.negative.offset + k
    out.push([-(base ** (i + 1)), -(base ** i), neg[k]!])
  }
  if (p.zeroCount) out.push([0, 0, p.zeroCount])
  p.positive.bucketCounts.forEach((n, k) => {
    const i = p.positive.offset + k
    out.push([base ** i, base ** (i + 1), n])
  })
  return out
}

export function bucketsOf(p: MetricPoint): Bucket[] | undefined {
  if ("bounds" in p) return explicitBuckets(p)
  if ("scale" in p) return exponentialBuckets(p)
  return undefined
}

function quantile(buckets: Bucket[], total: number, q: number): number {
  const rank = q * total
  let seen = 0
  for (const [lo, hi, n] of buckets) {
    if (n > 0 && seen + n >= rank) return round(lo + (hi - lo) * ((rank - seen) / n))
    seen += n
  }
  const last = buckets[buckets.length - 1]
  return last ? round(last[1]) : 0
}

export function percentilesOf(buckets: Bucket[]): Percentiles | undefined {
  const total = buckets.reduce((s, b) => s + b[2], 0)
  if (total <= 0) return undefined
  return { count: total, p50: quantile(buckets, total, 0.5), p90: quantile(buckets, total, 0.9), p99: quantile(buckets, total, 0.99) }
}

/**
 * The distribution over a series' points: delta points add up; cumulative points are totals
 * since their start, so the window is the last point minus the first (when the counter did not
 * reset in between), or the last point alone.
 */
export function seriesPercentiles(points: MetricPoint[], temporality: string | undefined): Percentiles | undefined {
  const hist = points.map(bucketsOf).filter((b): b is Bucket[] => b !== undefined)
  if (!hist.length) return undefined
  const sameShape = (a: Bucket[], b: Bucket[]) => a.length === b.length && a.every((x, i) => x[0] === b[i]![0] && x[1] === b[i]![1])
  if (temporality === "delta") {
    const first = hist[0]!
    if (hist.every((h) => sameShape(h, first))) return percentilesOf(first.map(([lo, hi], i) => [lo, hi, hist.reduce((s, h) => s + h[i]![2], 0)]))
    return percentilesOf(hist[hist.length - 1]!)
  }
  const last = hist[hist.length - 1]!
  const first = hist[0]!
  if (hist.length > 1 && sameShape(first, last)) {
    const diff: Bucket[] = last.map(([lo, hi, n], i) => [lo, hi, n - first[i]![2]])
    if (diff.every((b) => b[2] >= 0) && diff.some((b) => b[2] > 0)) return percentilesOf(diff)
  }
  return percentilesOf(last)
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000
}
