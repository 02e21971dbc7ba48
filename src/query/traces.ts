/** Trace list and trace detail: pure functions over the trace store. */
import { isoFromMs } from "../otel/attrs.ts"
import type { StoredSpan, TraceEntry } from "../otel/store-traces.ts"
import type { TelemetryStore } from "../otel/store.ts"
import type { SpanDetail, SpanKind, TraceDetail, TraceSummary } from "../server/api-types.ts"

export const DEFAULT_WINDOW_MS = 5_000

export interface TraceQuery {
  service?: string
  status?: "ok" | "error"
  minDurationMs?: number
  /** case-insensitive substring of any span name */
  search?: string
  /** with windowMs: traces overlapping around ± window */
  around?: number
  windowMs?: number
  from?: number
  to?: number
  limit?: number
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

export function summarize(t: TraceEntry): TraceSummary {
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
    if (search && !t.spans.some((s) => s.name.toLowerCase().includes(search))) continue
    hits.push(t)
  }
  hits.sort((a, b) => b.startMs - a.startMs)
  return hits.slice(0, q.limit ?? 100).map(summarize)
}

const KINDS: SpanKind[] = ["unspecified", "internal", "server", "client", "producer", "consumer"]
const STATUS = ["unset", "ok", "error"] as const

function spanDetail(s: StoredSpan, depth: number, children: string[]): SpanDetail {
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
    resource: s.resource.attributes,
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
  for (const s of byStart) {
    if (s.parentSpanId && t.spanIds.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId)
      if (list) list.push(s)
      else children.set(s.parentSpanId, [s])
    } else roots.push(s)
  }
  const out: SpanDetail[] = []
  const seen = new Set<string>()
  // iterative DFS: traces can be deep, and a parent cycle from a buggy sender must not loop
  const stack: [StoredSpan, number][] = roots.map((r) => [r, 0] as [StoredSpan, number]).reverse()
  while (stack.length) {
    const [s, depth] = stack.pop()!
    if (seen.has(s.spanId)) continue
    seen.add(s.spanId)
    const kids = children.get(s.spanId) ?? []
    out.push(spanDetail(s, depth, kids.map((k) => k.spanId)))
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1])
  }
  for (const s of byStart) if (!seen.has(s.spanId)) out.push(spanDetail(s, 0, []))
  return { ...summarize(t), spans_detail: out, roots: roots.map((r) => r.spanId) }
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}
