/** Trace list and trace detail: pure functions over the trace store. */
import { isoFromMs } from "../otel/attrs.ts"
import type { StoredSpan, TraceEntry } from "../otel/store-traces.ts"
import type { TelemetryStore } from "../otel/store.ts"
import type { Attributes, SpanDetail, SpanKind, TraceDetail, TraceSummary } from "../otel/model.ts"
import { queryLogs } from "./logs.ts"
import { insights, round3, selfTimes } from "./summary.ts"

export { round3 }

export const DEFAULT_WINDOW_MS = 5_000

export interface TraceQuery {
  service?: string
  status?: "ok" | "error"
  minDurationMs?: number
  /** case-insensitive substring of any span name, http.route or url.path */
  search?: string
  /** every filter must match some span's (or its resource's) attribute */
  attrs?: AttrFilter[]
  /** only traces that received a span at or after this time (ms): what arrived since a moment */
  arrivedAfter?: number
  /** with windowMs: traces overlapping around ± window */
  around?: number
  windowMs?: number
  from?: number
  to?: number
  limit?: number
}

/** `key=value` (equal, compared as text) or `key~=text` (case-insensitive substring). */
export interface AttrFilter {
  key: string
  value: string
  op: "=" | "~="
}

function attrText(v: unknown): string | undefined {
  if (v === undefined) return undefined
  return typeof v === "string" ? v : JSON.stringify(v)
}

function attrMatches(s: StoredSpan, f: AttrFilter): boolean {
  const v = attrText(s.attributes[f.key] ?? s.resource.attributes[f.key])
  if (v === undefined) return false
  return f.op === "=" ? v === f.value : v.toLowerCase().includes(f.value.toLowerCase())
}

const SEARCH_ATTRS = ["http.route", "url.path", "http.target"]

function searchMatches(s: StoredSpan, search: string): boolean {
  if (s.name.toLowerCase().includes(search)) return true
  for (const k of SEARCH_ATTRS) {
    const v = s.attributes[k]
    if (typeof v === "string" && v.toLowerCase().includes(search)) return true
  }
  return false
}

export function timeRange(q: { around?: number; windowMs?: number; from?: number; to?: number }): { from?: number; to?: number } {
  let { from, to } = q
  if (q.around !== undefined) {
    const w = q.windowMs ?? DEFAULT_WINDOW_MS
    from = Math.max(from ?? -Infinity, q.around - w)
    to = Math.min(to ?? Infinity, q.around + w)
  }
  return { from, to }
}

/** One trace's row; with `service`, also that service's own slowest span. */
export function summarize(t: TraceEntry, service?: string): TraceSummary {
  const head = t.root ?? t.first
  return {
    traceId: t.traceId,
    service: head.resource.service,
    operation: head.name,
    duration_ms: round3(t.endMs - t.startMs),
    status: t.errorCount > 0 ? "error" : "ok",
    spans: t.spans.length,
    timestamp: isoFromMs(t.startMs),
    services: [...t.services].sort(),
    errorCount: t.errorCount,
    hasRoot: t.root !== undefined,
    ...insights(t, head, service),
  }
}

export function listTraces(store: TelemetryStore, q: TraceQuery): TraceSummary[] {
  store.prune()
  const { from, to } = timeRange(q)
  const search = q.search?.toLowerCase()
  const candidates: Iterable<TraceEntry> = q.service ? (store.traces.byService.get(q.service) ?? []) : store.traces.byId.values()
  const hits: TraceEntry[] = []
  for (const t of candidates) {
    if (q.status && (t.errorCount > 0 ? "error" : "ok") !== q.status) continue
    if (q.minDurationMs !== undefined && t.endMs - t.startMs < q.minDurationMs) continue
    if (from !== undefined && t.endMs < from) continue
    if (to !== undefined && t.startMs > to) continue
    if (q.arrivedAfter !== undefined && t.lastReceivedAt < q.arrivedAfter) continue
    if (search && !t.spans.some((s) => searchMatches(s, search))) continue
    if (q.attrs?.length && !q.attrs.every((f) => t.spans.some((s) => attrMatches(s, f)))) continue
    hits.push(t)
  }
  hits.sort((a, b) => b.startMs - a.startMs)
  return hits.slice(0, q.limit ?? 100).map((t) => summarize(t, q.service))
}

const KINDS: SpanKind[] = ["unspecified", "internal", "server", "client", "producer", "consumer"]
const STATUS = ["unset", "ok", "error"] as const

function spanDetail(s: StoredSpan, depth: number, children: string[], resourceIndex: number, selfMs: number): SpanDetail {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    service: s.resource.service,
    kind: KINDS[s.kind] ?? "unspecified",
    startTime: isoFromMs(s.startMs),
    endTime: isoFromMs(s.endMs),
    startTimeUnixNano: s.startNs.toString(),
    endTimeUnixNano: s.endNs.toString(),
    duration_ms: round3(s.endMs - s.startMs),
    status: { code: STATUS[s.statusCode] ?? "unset", ...(s.statusMessage ? { message: s.statusMessage } : {}) },
    isError: s.isError,
    attributes: s.attributes,
    events: s.events,
    links: s.links,
    resourceIndex,
    self_ms: selfMs,
    scope: s.scope,
    depth,
    children,
  }
}

export function traceDetail(store: TelemetryStore, traceId: string): TraceDetail | undefined {
  store.prune()
  const t = store.traces.byId.get(traceId)
  if (!t) return undefined
  const byStart = [...t.spans].sort((a, b) => a.startMs - b.startMs)
  const children = new Map<string, StoredSpan[]>()
  const roots: StoredSpan[] = []
  const ids = t.spanIds // built anew on each read: once per trace
  for (const s of byStart) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId)
      if (list) list.push(s)
      else children.set(s.parentSpanId, [s])
    } else roots.push(s)
  }
  const self = selfTimes(t)
  // resources are shared objects per OTLP ResourceSpans; equal ones from separate batches merge by content
  const resources: { service: string; attributes: Attributes }[] = []
  const resourceKeys = new Map<string, number>()
  const resourceOf = (s: StoredSpan): number => {
    const key = JSON.stringify(s.resource.attributes)
    let i = resourceKeys.get(key)
    if (i === undefined) {
      i = resources.push({ service: s.resource.service, attributes: s.resource.attributes }) - 1
      resourceKeys.set(key, i)
    }
    return i
  }
  const detail = (s: StoredSpan, depth: number, kids: string[]) => spanDetail(s, depth, kids, resourceOf(s), self.get(s.spanId) ?? 0)
  const out: SpanDetail[] = []
  const seen = new Set<string>()
  // iterative DFS: traces can be deep, and a parent cycle from a buggy sender must not loop
  const stack: [StoredSpan, number][] = roots.map((r) => [r, 0] as [StoredSpan, number]).reverse()
  while (stack.length) {
    const [s, depth] = stack.pop()!
    if (seen.has(s.spanId)) continue
    seen.add(s.spanId)
    const kids = children.get(s.spanId) ?? []
    out.push(detail(s, depth, kids.map((k) => k.spanId)))
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1])
  }
  for (const s of byStart) if (!seen.has(s.spanId)) out.push(detail(s, 0, []))
  const logs = queryLogs(store, { traceId, limit: 200 }).reverse()
  return { ...summarize(t), spans_detail: out, roots: roots.map((r) => r.spanId), resources, logs }
}
