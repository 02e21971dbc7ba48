import { describe, expect, test } from "bun:test"
import type { MetricSeries } from "../../../src/server/api-types.ts"
import { bucketTotals, labelOptions, matchesLabel, quantile, toColumns } from "../../../ui/src/lib/series.ts"

const ns = (s: number) => String(s * 1e9)

describe("metric series → chart columns", () => {
  test("quantile interpolates inside the bucket", () => {
    // 10 values in (0,10], 10 in (10,20]
    expect(quantile([10, 20], [10, 10, 0], 0.5)).toBe(10)
    expect(quantile([10, 20], [10, 10, 0], 0.75)).toBe(15)
    expect(quantile([10, 20], [0, 0, 0], 0.5)).toBeNull()
  })

  test("gauges align on a shared x axis with nulls for gaps", () => {
    const s = (service: string, pts: [number, number][]): MetricSeries => ({
      name: "g",
      type: "gauge",
      unit: "",
      service,
      attributes: {},
      points: pts.map(([t, v]) => ({ timestamp: "", timeUnixNano: ns(t), value: v })),
    })
    const c = toColumns([s("a", [[1, 5], [2, 6]]), s("b", [[2, 7], [3, 8]])])
    expect(c.xs).toEqual([1, 2, 3])
    expect(c.lines.map((l) => l.values)).toEqual([[5, 6, null], [null, 7, 8]])
  })

  test("cumulative histograms become per-interval p50/p90/p99", () => {
    const h: MetricSeries = {
      name: "h",
      type: "histogram",
      unit: "ms",
      service: "api",
      attributes: { route: "/a" },
      points: [
        { timestamp: "", timeUnixNano: ns(1), count: 10, bounds: [10, 100], bucketCounts: [10, 0, 0] },
        { timestamp: "", timeUnixNano: ns(2), count: 20, bounds: [10, 100], bucketCounts: [10, 10, 0] },
      ],
    }
    const c = toColumns([h])
    expect(c.lines.map((l) => l.kind)).toEqual(["p50", "p90", "p99"])
    expect(c.lines[0]!.values[0]).toBe(5) // first interval: all ≤ 10
    expect(c.lines[0]!.values[1]).toBe(55) // second interval: the 10 new values are in (10,100]
    expect(bucketTotals([h])).toEqual({ bounds: [10, 100], counts: [10, 10, 0] })
    expect(labelOptions([h])).toEqual(["route=/a"])
    expect(matchesLabel(h, "route=/a")).toBe(true)
    expect(matchesLabel(h, "route=/b")).toBe(false)
  })
})
