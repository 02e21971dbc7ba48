/**
 * Output rendering for `devrig query`: NDJSON (default; arrays become one line per item),
 * pretty JSON, or a human table.
 */
import type { LogRecord, MetricInfo, MetricSeries, TraceSummary } from "../server/api-types.ts"

export type OutputFormat = "json" | "json-pretty" | "table"

export function render(data: unknown, format: OutputFormat): string {
  if (format === "json-pretty") return JSON.stringify(data, null, 2) + "\n"
  if (format === "table") return table(data)
  if (Array.isArray(data)) return data.map((d) => JSON.stringify(d) + "\n").join("")
  return JSON.stringify(data) + "\n"
}

function pad(rows: string[][]): string {
  if (rows.length === 0) return ""
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd() + "\n").join("")
}

function cut(s: string, n: number): string {
  const one = s.replace(/\s+/g, " ")
  return one.length > n ? one.slice(0, n - 1) + "…" : one
}

function isTrace(x: unknown): x is TraceSummary {
  return !!x && typeof x === "object" && "traceId" in x && "operation" in x
}
function isLog(x: unknown): x is LogRecord {
  return !!x && typeof x === "object" && "severityNumber" in x && "body" in x
}
function isMetricInfo(x: unknown): x is MetricInfo {
  return !!x && typeof x === "object" && "series" in x && "services" in x
}
function isSeries(x: unknown): x is MetricSeries {
  return !!x && typeof x === "object" && "points" in x && Array.isArray((x as MetricSeries).points)
}

function table(data: unknown): string {
  if (!Array.isArray(data)) return JSON.stringify(data, null, 2) + "\n"
  if (data.length === 0) return "(no results)\n"
  const first = data[0]
  if (isTrace(first)) {
    return pad([
      ["TIMESTAMP", "TRACE ID", "SERVICE", "OPERATION", "DURATION", "STATUS", "SPANS"],
      ...(data as TraceSummary[]).map((t) => [t.timestamp, t.traceId, t.service, cut(t.operation, 40), `${t.duration_ms}ms`, t.status, String(t.spans)]),
    ])
  }
  if (isLog(first)) {
    return pad([
      ["TIMESTAMP", "LEVEL", "SERVICE", "TRACE ID", "BODY"],
      ...(data as LogRecord[]).map((l) => [
        l.timestamp,
        l.severityText || l.level,
        l.service,
        l.traceId ?? "-",
        cut(typeof l.body === "string" ? l.body : JSON.stringify(l.body), 120),
      ]),
    ])
  }
  if (isMetricInfo(first)) {
    return pad([
      ["NAME", "TYPE", "UNIT", "SERVICES", "SERIES", "POINTS"],
      ...(data as MetricInfo[]).map((m) => [m.name, m.type, m.unit || "-", m.services.join(","), String(m.series), String(m.points)]),
    ])
  }
  if (isSeries(first)) {
    return pad([
      ["NAME", "SERVICE", "ATTRIBUTES", "POINTS", "LAST"],
      ...(data as MetricSeries[]).map((s) => {
        const last = s.points[s.points.length - 1] as Record<string, unknown> | undefined
        const v = last ? ("value" in last ? String(last.value) : `count=${last.count} sum=${last.sum ?? "-"}`) : "-"
        return [s.name, s.service, cut(JSON.stringify(s.attributes), 60), String(s.points.length), v]
      }),
    ])
  }
  return data.map((d) => JSON.stringify(d) + "\n").join("")
}
