/**
 * What a trace summary says about a trace beyond its head span: the request it served (route),
 * where the time went (the span with the largest self time) and why it failed (the earliest
 * error span with no failed child: the cause, not the callers it failed). Self time is a span's duration minus the part of it its children cover.
 */
import type { StoredSpan, TraceEntry } from "../otel/store-traces.ts"
import type { SpanBrief, TraceSummary } from "../otel/model.ts"

/** http.route, else url.path / http.target (without the query), else the span name. */
export function routeOf(s: StoredSpan): string {
  const a = s.attributes
  for (const k of ["http.route", "url.path", "http.target"]) {
    const v = a[k]
    if (typeof v === "string" && v !== "") return k === "http.target" ? v.split("?")[0]! : v
  }
  return s.name
}

/** Self time (ms) of every span of the trace, by span id. */
export function selfTimes(t: TraceEntry): Map<string, number> {
  const kids = new Map<string, StoredSpan | StoredSpan[]>()
  const ids = t.spanIds // built anew on each read: once per trace
  for (const s of t.spans) {
    const p = s.parentSpanId
    if (!p || p === s.spanId || !ids.has(p)) continue
    const cur = kids.get(p)
    if (cur === undefined) kids.set(p, s)
    else if (Array.isArray(cur)) cur.push(s)
    else kids.set(p, [cur, s])
  }
  const out = new Map<string, number>()
  for (const s of t.spans) {
    const c = kids.get(s.spanId)
    const busy = c === undefined ? 0 : Array.isArray(c) ? covered(s, c) : Math.max(0, Math.min(c.endMs, s.endMs) - Math.max(c.startMs, s.startMs))
    out.set(s.spanId, round3(Math.max(0, s.endMs - s.startMs - busy)))
  }
  return out
}

/** Length of the union of the children's intervals, clipped to the parent's. */
function covered(parent: StoredSpan, children: StoredSpan[]): number {
  const sorted = children.slice().sort((x, y) => x.startMs - y.startMs)
  let total = 0
  let cs = -Infinity
  let ce = -Infinity
  for (const c of sorted) {
    const a = Math.max(c.startMs, parent.startMs)
    const b = Math.min(c.endMs, parent.endMs)
    if (b <= a) continue
    if (a > ce) {
      if (ce > cs) total += ce - cs
      cs = a
      ce = b
    } else if (b > ce) ce = b
  }
  if (ce > cs) total += ce - cs
  return total
}

function brief(s: StoredSpan, self: Map<string, number>): SpanBrief {
  return { spanId: s.spanId, service: s.resource.service, name: s.name, self_ms: self.get(s.spanId) ?? 0 }
}

/** The status message, else an exception event's message, else the HTTP status code. */
export function errorMessage(s: StoredSpan): string {
  if (s.statusMessage) return s.statusMessage
  for (const e of s.events) {
    const m = e.attributes["exception.message"]
    if (e.name === "exception" && m !== undefined) return String(m)
  }
  const code = s.attributes["http.response.status_code"] ?? s.attributes["http.status_code"]
  return code !== undefined ? `HTTP ${code}` : "error"
}

type Insights = Pick<TraceSummary, "route" | "bottleneck" | "error" | "serviceSpan">

/**
 * Spans are only ever appended to a trace, so a result stays valid while the span count is the
 * same: lists, the WebSocket and repeated queries recompute only traces that grew.
 */
const cache = new WeakMap<TraceEntry, { spans: number; byService: Map<string, Insights> }>()

/** route, bottleneck, error (and serviceSpan for `service`) of one trace. */
export function insights(t: TraceEntry, head: StoredSpan, service?: string): Insights {
  let c = cache.get(t)
  if (!c || c.spans !== t.spans.length) cache.set(t, (c = { spans: t.spans.length, byService: new Map() }))
  const key = `${head.spanId}\n${service ?? ""}`
  let out = c.byService.get(key)
  if (!out) c.byService.set(key, (out = compute(t, head, service)))
  return out
}

function compute(t: TraceEntry, head: StoredSpan, service?: string): Pick<TraceSummary, "route" | "bottleneck" | "error" | "serviceSpan"> {
  const self = selfTimes(t)
  let slowest: StoredSpan | undefined
  let firstError: StoredSpan | undefined
  let own: StoredSpan | undefined
  // an error propagates up (a failed call fails its caller): the cause is an error span none of
  // whose children failed; the earliest such span is the trace's error
  const failedParents = new Set<string>()
  for (const s of t.spans) if (s.isError && s.parentSpanId) failedParents.add(s.parentSpanId)
  for (const s of t.spans) {
    if (!slowest || self.get(s.spanId)! > self.get(slowest.spanId)!) slowest = s
    if (s.isError && !failedParents.has(s.spanId) && (!firstError || s.startMs < firstError.startMs)) firstError = s
    if (service && s.resource.service === service && (!own || s.endMs - s.startMs > own.endMs - own.startMs)) own = s
  }
  return {
    route: routeOf(head),
    ...(slowest ? { bottleneck: brief(slowest, self) } : {}),
    ...(firstError ? { error: { ...brief(firstError, self), message: errorMessage(firstError) } } : {}),
    ...(own ? { serviceSpan: { ...brief(own, self), duration_ms: round3(own.endMs - own.startMs) } } : {}),
  }
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}
