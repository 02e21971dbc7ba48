/**
 * Output rendering for `devrig query`: NDJSON (arrays become one line per item), pretty JSON,
 * a human table, or (one trace) an indented span tree.
 */
import type { LogRecord, MetricInfo, MetricSeries, RelatedTelemetry, SpanDetail, TraceDetail, TraceSummary } from "../otel/model.ts"

export type OutputFormat = "json" | "json-pretty" | "table" | "tree"

export function render(data: unknown, format: OutputFormat): string {
  if (format === "json-pretty") return JSON.stringify(data, null, 2) + "\n"
  if (format === "table" || format === "tree") {
    if (isTraceDetail(data)) return traceTree(data)
    if (isRelated(data)) return relatedTable(data)
    return table(data)
  }
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
function isTraceDetail(x: unknown): x is TraceDetail {
  return !!x && typeof x === "object" && "spans_detail" in x
}
function isRelated(x: unknown): x is RelatedTelemetry {
  return !!x && typeof x === "object" && "nearbyLogs" in x
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
    const own = (data as TraceSummary[]).some((t) => t.serviceSpan)
    return pad([
      ["TIMESTAMP", "TRACE ID", "SERVICE", "OPERATION", "ROUTE", "DURATION", "STATUS", "SPANS", "BOTTLENECK", ...(own ? ["SLOWEST OWN SPAN"] : []), "ERROR"],
      ...(data as TraceSummary[]).map((t) => [
        t.timestamp,
        t.traceId,
        t.service,
        cut(t.operation, 30),
        cut(t.route ?? "-", 40),
        `${t.duration_ms}ms`,
        t.status,
        String(t.spans),
        t.bottleneck ? cut(`${t.bottleneck.service}: ${t.bottleneck.name} (self ${t.bottleneck.self_ms}ms)`, 50) : "-",
        ...(own ? [t.serviceSpan ? cut(`${t.serviceSpan.name} ${t.serviceSpan.duration_ms}ms`, 40) : "-"] : []),
        t.error ? cut(`${t.error.service}: ${t.error.name}: ${t.error.message}`, 60) : "-",
      ]),
    ])
  }
  if (isLog(first)) return logTable(data as LogRecord[])
  if (isMetricInfo(first)) {
    return pad([
      ["NAME", "TYPE", "UNIT", "SERVICES", "SERIES", "POINTS"],
      ...(data as MetricInfo[]).map((m) => [m.name, m.type, m.unit || "-", m.services.join(","), String(m.series), String(m.points)]),
    ])
  }
  if (isSeries(first)) {
    const hist = (data as MetricSeries[]).some((s) => s.percentiles)
    return pad([
      ["NAME", "SERVICE", "ATTRIBUTES", "POINTS", ...(hist ? ["P50", "P90", "P99"] : []), "LAST"],
      ...(data as MetricSeries[]).map((s) => {
        const last = s.points[s.points.length - 1] as Record<string, unknown> | undefined
        const v = last ? ("value" in last ? String(last.value) : `count=${last.count} sum=${last.sum ?? "-"}`) : "-"
        const pc = s.percentiles
        return [s.name, s.service, cut(JSON.stringify(s.attributes), 60), String(s.points.length), ...(hist ? (pc ? [pc.p50, pc.p90, pc.p99].map(String) : ["-", "-", "-"]) : []), v]
      }),
    ])
  }
  return data.map((d) => JSON.stringify(d) + "\n").join("")
}

function bodyText(l: LogRecord): string {
  return typeof l.body === "string" ? l.body : JSON.stringify(l.body)
}

function logTable(logs: (LogRecord & { nearby?: boolean })[], width = 120): string {
  return pad([
    ["TIMESTAMP", "LEVEL", "SERVICE", "TRACE ID", "BODY"],
    ...logs.map((l) => [l.timestamp, l.severityText || l.level, l.service, l.traceId ?? (l.nearby ? "(nearby)" : "-"), cut(bodyText(l), width)]),
  ])
}

/** The attributes worth a glance in a tree line: route, status code, db statement, peer. */
const KEY_ATTRS: [label: string, keys: string[]][] = [
  ["route", ["http.route"]],
  ["path", ["url.path", "http.target"]],
  ["status", ["http.response.status_code", "http.status_code", "rpc.grpc.status_code"]],
  ["db", ["db.query.text", "db.statement"]],
  ["peer", ["server.address", "net.peer.name", "peer.service"]],
]

function keyAttrs(s: SpanDetail): string {
  const out: string[] = []
  for (const [label, keys] of KEY_ATTRS) {
    const k = keys.find((k) => s.attributes[k] !== undefined)
    if (!k) continue
    if (label === "path" && s.attributes["http.route"] !== undefined) continue
    const v = s.attributes[k]
    const port = label === "peer" ? (s.attributes["server.port"] ?? s.attributes["net.peer.port"]) : undefined
    out.push(`${label}=${cut(typeof v === "string" ? v : JSON.stringify(v), 60)}${port !== undefined ? `:${port}` : ""}`)
  }
  return out.join(" ")
}

/** `devrig query trace <id> --format tree`: resources once, then one line per span, then the logs. */
export function traceTree(t: TraceDetail): string {
  const lines: string[] = []
  lines.push(`trace ${t.traceId}  ${t.route}  ${t.duration_ms}ms  ${t.status}  ${t.spans} span${t.spans === 1 ? "" : "s"}  ${t.timestamp}`)
  if (t.bottleneck) lines.push(`bottleneck: ${t.bottleneck.service}: ${t.bottleneck.name} (self ${t.bottleneck.self_ms}ms)`)
  if (t.error) lines.push(`error: ${t.error.service}: ${t.error.name}: ${t.error.message}`)
  lines.push("resources:")
  t.resources.forEach((r, i) => {
    const attrs = Object.entries(r.attributes)
      .filter(([k]) => k !== "service.name")
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    lines.push(`  [${i}] ${r.service}${attrs.length ? "  " + cut(attrs.join(" "), 160) : ""}`)
  })
  lines.push("spans:")
  const multi = t.resources.length > 1
  for (const s of t.spans_detail) {
    const status = s.isError ? `ERROR${s.status.message ? ` "${cut(s.status.message, 80)}"` : ""}` : s.status.code
    const res = multi && t.resources.filter((r) => r.service === s.service).length > 1 ? `[${s.resourceIndex}]` : ""
    const attrs = keyAttrs(s)
    lines.push(`  ${"  ".repeat(s.depth)}${s.name}  ${s.service}${res}  ${s.duration_ms}ms  self ${s.self_ms}ms  ${status}${attrs ? "  " + attrs : ""}`)
  }
  if (t.logs.length) {
    lines.push(`logs (${t.logs.length}):`)
    for (const l of t.logs) lines.push(`  ${l.timestamp}  ${(l.severityText || l.level).padEnd(5)}  ${l.service}  ${cut(bodyText(l), 160)}`)
  } else lines.push("logs: none carry this trace id")
  return lines.join("\n") + "\n"
}

function relatedTable(r: RelatedTelemetry): string {
  const head = `trace ${r.trace.traceId}  ${r.trace.route}  ${r.trace.duration_ms}ms  ${r.trace.status}\n`
  const own = r.logs.length ? `\nits logs (${r.logs.length}):\n${logTable(r.logs)}` : "\nits logs: none carry this trace id\n"
  const near = r.nearbyLogs.length ? `\nnearby logs of its services (${r.nearbyLogs.length}):\n${logTable(r.nearbyLogs)}` : ""
  const metrics = r.metrics.length ? `\nmetrics in the window: ${r.metrics.map((m) => `${m.name} (${m.service})`).join(", ")}\n` : ""
  return head + own + near + metrics
}
