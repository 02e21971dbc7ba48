/**
 * Spans grouped into traces. The cap counts traces (not spans); a trace's spans stay together
 * until the whole trace is evicted. Two guards keep memory bounded when one trace is huge:
 * a per-trace span cap and a total span cap (oldest traces go first).
 */
import { Fifo } from "./fifo.ts"
import { approxBytes } from "./attrs.ts"
import type { Attributes, SpanEvent, SpanLink } from "../server/api-types.ts"

export interface ResourceInfo {
  service: string
  attributes: Attributes
}

export interface StoredSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startNs: bigint
  endNs: bigint
  startMs: number
  endMs: number
  statusCode: number
  statusMessage: string
  isError: boolean
  attributes: Attributes
  events: SpanEvent[]
  links: SpanLink[]
  resource: ResourceInfo
  scope: { name: string; version?: string }
}

export interface TraceEntry {
  traceId: string
  spans: StoredSpan[]
  spanIds: Set<string>
  root?: StoredSpan
  /** earliest-starting span: stands in for the root until it arrives */
  first: StoredSpan
  startMs: number
  endMs: number
  services: Set<string>
  errorCount: number
  firstReceivedAt: number
  lastReceivedAt: number
  /** approximate heap bytes of the trace's spans (the store's byte budget counts these) */
  bytes: number
}

export interface TraceLimits {
  maxTraces: number
  maxSpans: number
  maxSpansPerTrace: number
  retentionMs: number
}

const TRACE_OVERHEAD = 400

/** Approximate heap bytes of one stored span: its object, ids, attributes, events and links. */
export function spanBytes(s: StoredSpan): number {
  return 320 + s.name.length + s.statusMessage.length + approxBytes(s.attributes) + (s.events.length ? approxBytes(s.events) : 0) + (s.links.length ? approxBytes(s.links) : 0)
}

export class TraceStore {
  readonly byId = new Map<string, TraceEntry>()
  readonly byService = new Map<string, Set<TraceEntry>>()
  /** traces in first-arrival order: eviction pops the front */
  readonly order = new Fifo<TraceEntry>(1024)
  received = 0
  evicted = 0
  spanCount = 0
  bytes = 0

  constructor(readonly limits: TraceLimits) {}

  /** Returns the ids of traces that changed. */
  add(spans: StoredSpan[], now: number): Set<string> {
    const touched = new Set<string>()
    this.received += spans.length
    for (const span of spans) {
      let t = this.byId.get(span.traceId)
      if (!t) {
        t = {
          traceId: span.traceId,
          spans: [],
          spanIds: new Set(),
          first: span,
          startMs: span.startMs,
          endMs: span.endMs,
          services: new Set(),
          errorCount: 0,
          firstReceivedAt: now,
          lastReceivedAt: now,
          bytes: TRACE_OVERHEAD,
        }
        this.bytes += TRACE_OVERHEAD
        this.byId.set(span.traceId, t)
        this.order.push(t)
      }
      // exporters retry whole batches after timeouts: a repeated span id is a duplicate
      if (t.spanIds.has(span.spanId) || t.spans.length >= this.limits.maxSpansPerTrace) {
        this.evicted++
        continue
      }
      t.spans.push(span)
      t.spanIds.add(span.spanId)
      this.spanCount++
      const b = spanBytes(span)
      t.bytes += b
      this.bytes += b
      t.lastReceivedAt = now
      if (!span.parentSpanId) t.root ??= span
      if (span.startMs < t.first.startMs) t.first = span
      if (span.startMs < t.startMs) t.startMs = span.startMs
      if (span.endMs > t.endMs) t.endMs = span.endMs
      if (span.isError) t.errorCount++
      if (!t.services.has(span.resource.service)) {
        t.services.add(span.resource.service)
        let set = this.byService.get(span.resource.service)
        if (!set) this.byService.set(span.resource.service, (set = new Set()))
        set.add(t)
      }
      touched.add(t.traceId)
    }
    while (this.order.length > this.limits.maxTraces || this.spanCount > this.limits.maxSpans) {
      if (!this.evictOldest()) break
    }
    this.prune(now)
    return touched
  }

  prune(now: number): void {
    const cutoff = now - this.limits.retentionMs
    while (this.order.length > 0 && this.order.peek()!.firstReceivedAt < cutoff) this.evictOldest()
  }

  clear(): void {
    this.byId.clear()
    this.byService.clear()
    this.order.clear()
    this.spanCount = 0
    this.bytes = 0
  }

  /** Arrival time of the oldest trace (the byte budget evicts oldest-first across signals). */
  oldestArrival(): number | undefined {
    return this.order.peek()?.firstReceivedAt
  }

  evictOldest(): boolean {
    const t = this.order.shift()
    if (!t) return false
    this.byId.delete(t.traceId)
    for (const s of t.services) {
      const set = this.byService.get(s)
      set?.delete(t)
      if (set && set.size === 0) this.byService.delete(s)
    }
    this.spanCount -= t.spans.length
    this.evicted += t.spans.length
    this.bytes -= t.bytes
    return true
  }
}
