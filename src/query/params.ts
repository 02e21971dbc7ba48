/**
 * Query-string → typed query. The REST API parses requests with these; `devrig query` sends
 * its flags under the same names, so the two can never drift. Names: service, status,
 * minDuration, search, around, window, from, to, limit, level (repeatable or comma-separated),
 * traceId, name, last, label (repeatable key=value), attr (repeatable key=value or key~=text),
 * arrivedAfter (only what arrived since then: `devrig wait`), all (related: every nearby log).
 */
import { InputError } from "../errors.ts"
import type { LogQuery, LogSource } from "./logs.ts"
import type { MetricListQuery, MetricSeriesQuery } from "./metrics.ts"
import { parseDuration, parseLabel, parseLevel, parseLimit, parseTimestamp, parseTraceId } from "./parse.ts"
import type { AttrFilter, TraceQuery } from "./traces.ts"

function get(p: URLSearchParams, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = p.get(n)
    if (v !== null && v !== "") return v
  }
  return undefined
}

/** `key=value` or `key~=text` */
export function parseAttr(input: string): AttrFilter {
  const m = /^([^=~]+)(~?=)(.*)$/.exec(input)
  if (!m) throw new InputError(`invalid attribute filter "${input}": expected key=value or key~=text`)
  return { key: m[1]!.trim(), op: m[2] as AttrFilter["op"], value: m[3]! }
}

function common(p: URLSearchParams) {
  const from = get(p, "from")
  const arrived = get(p, "arrivedAfter")
  const to = get(p, "to")
  const window = get(p, "window")
  const out = {
    from: from === undefined ? undefined : parseTimestamp(from, "--from"),
    to: to === undefined ? undefined : parseTimestamp(to, "--to"),
    windowMs: window === undefined ? undefined : parseDuration(window, "--window"),
    arrivedAfter: arrived === undefined ? undefined : parseTimestamp(arrived, "arrivedAfter"),
  }
  if (out.from !== undefined && out.to !== undefined && out.from > out.to) {
    throw new InputError("--from is after --to")
  }
  return out
}

export function traceQuery(p: URLSearchParams): TraceQuery {
  const status = get(p, "status")
  if (status !== undefined && status !== "ok" && status !== "error") {
    throw new InputError(`invalid status "${status}": expected ok or error`)
  }
  const minDuration = get(p, "minDuration", "min-duration", "min_duration")
  const around = get(p, "around")
  const attrs = p.getAll("attr").filter((a) => a !== "").map(parseAttr)
  return {
    attrs: attrs.length ? attrs : undefined,
    ...common(p),
    service: get(p, "service"),
    status,
    minDurationMs: minDuration === undefined ? undefined : parseDuration(minDuration, "--min-duration"),
    search: get(p, "search", "name"),
    around: around === undefined ? undefined : parseTimestamp(around, "--around"),
    limit: parseLimit(get(p, "limit"), 100),
  }
}

export function logQuery(p: URLSearchParams): LogQuery {
  const levels = p.getAll("level").flatMap((l) => l.split(",")).filter((l) => l !== "").map(parseLevel)
  const around = get(p, "around")
  const traceId = get(p, "traceId", "trace-id", "trace_id")
  const q: LogQuery = {
    ...common(p),
    service: get(p, "service"),
    levels: levels.length ? levels : undefined,
    search: get(p, "search"),
    traceId: traceId === undefined ? undefined : parseTraceId(traceId, "--trace-id"),
    limit: parseLimit(get(p, "limit"), 100),
    source: parseSource(get(p, "source")),
  }
  // logs?around= takes a trace id (PRD) or a timestamp (metric-click navigation)
  if (around !== undefined) {
    if (/^[0-9a-fA-F]{32}$/.test(around)) q.aroundTrace = around.toLowerCase()
    else q.around = parseTimestamp(around, "--around (a trace id or a timestamp)")
  }
  return q
}

function parseSource(v: string | undefined): LogSource | undefined {
  if (v === undefined) return undefined
  if (v === "otlp" || v === "output" || v === "events") return v
  throw new InputError(`invalid source "${v}": expected otlp, output or events`)
}

export function metricListQuery(p: URLSearchParams): MetricListQuery {
  return { service: get(p, "service"), search: get(p, "search") }
}

export function metricSeriesQuery(p: URLSearchParams, name: string): MetricSeriesQuery {
  const last = get(p, "last")
  const limit = get(p, "limit")
  const labels: Record<string, string> = {}
  for (const l of p.getAll("label")) {
    const [k, v] = parseLabel(l)
    labels[k] = v
  }
  const { from, to, arrivedAfter } = common(p)
  return {
    name,
    arrivedAfter,
    service: get(p, "service"),
    labels: Object.keys(labels).length ? labels : undefined,
    lastMs: last === undefined ? undefined : parseDuration(last, "--last"),
    from,
    to,
    limit: limit === undefined ? undefined : parseLimit(limit, 1000, 100_000),
  }
}

export function relatedQuery(p: URLSearchParams): { windowMs?: number; limit: number; all: boolean } {
  const w = get(p, "window")
  const all = get(p, "all")
  return {
    windowMs: w === undefined ? undefined : parseDuration(w, "window"),
    limit: parseLimit(get(p, "limit"), 500),
    all: all === "1" || all === "true",
  }
}
