/**
 * The telemetry store: one bounded buffer per signal plus the collector counters. Everything
 * runs on the event loop thread, so no locking. Listeners hear about each ingested batch
 * (the WebSocket hub batches these for clients).
 */
import { LogStore, type IncomingLog, type LogIn, type StoredLog } from "./store-logs.ts"
import { MetricStore, type IncomingPoint } from "./store-metrics.ts"
import { TraceStore, type StoredSpan } from "./store-traces.ts"
import type { CollectorCounters } from "./model.ts"
import { internBytes, type Writer } from "./compact.ts"
import type { SpanIn } from "./compact-span.ts"
import { DEFAULT_ATTR_LIMITS, type AttrLimits, type LimitCounters } from "./attrs.ts"

export interface StoreLimits {
  traceBuffer: number
  metricBuffer: number
  logBuffer: number
  retentionMs: number
  /** spans kept per trace (default 10 000) */
  maxSpansPerTrace?: number
  /** spans kept across all traces (default max(100 000, 50 × traceBuffer)) */
  maxSpans?: number
  /** approximate heap bytes kept across all signals (default 256 MiB); oldest data goes first */
  maxBytes?: number
  /** attribute value / count and log body limits (defaults: DEFAULT_ATTR_LIMITS) */
  attributes?: Partial<AttrLimits>
}

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024

export type IngestEvent =
  | { signal: "traces"; traceIds: Set<string> }
  | { signal: "logs"; logs: StoredLog[] }
  | { signal: "metrics"; names: Set<string> }

export class TelemetryStore {
  readonly traces: TraceStore
  readonly logs: LogStore
  readonly metrics: MetricStore
  rejectedRequests = 0
  readonly maxBytes: number
  readonly attrLimits: AttrLimits
  /** values truncated and attributes dropped by attrLimits (ingest counts them here) */
  readonly limited: LimitCounters = { truncatedValues: 0, droppedAttributes: 0 }
  /** items evicted to stay within maxBytes (also counted in each signal's `evicted`) */
  evictedForBytes = 0
  private listeners = new Set<(e: IngestEvent) => void>()

  constructor(
    readonly limits: StoreLimits,
    /** injectable clock (tests of retention) */
    readonly now: () => number = Date.now,
  ) {
    this.traces = new TraceStore({
      maxTraces: limits.traceBuffer,
      maxSpans: limits.maxSpans ?? Math.max(100_000, limits.traceBuffer * 50),
      maxSpansPerTrace: limits.maxSpansPerTrace ?? 10_000,
      retentionMs: limits.retentionMs,
    })
    this.logs = new LogStore({ maxLogs: limits.logBuffer, retentionMs: limits.retentionMs })
    this.metrics = new MetricStore({ maxPoints: limits.metricBuffer, retentionMs: limits.retentionMs })
    this.maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES
    this.attrLimits = { ...DEFAULT_ATTR_LIMITS, ...limits.attributes }
    this.logs.bodyLimit = this.attrLimits.bodyLength
    this.logs.counters = this.limited
  }

  /** Approximate heap bytes held across all signals. */
  get bytes(): number {
    return this.traces.bytes + this.logs.bytes + this.metrics.bytes + internBytes
  }

  /**
   * Past the byte budget, evict the oldest data of any signal (by arrival) down to 90 % of it:
   * the allocator's and the GC's slack come on top of what the store counts, and the margin
   * keeps the process within idle size + budget (and evictions come in batches, not one per item).
   */
  private enforceBudget(): void {
    if (this.bytes <= this.maxBytes) return
    const target = this.maxBytes * 0.9
    while (this.bytes > target) {
      const t = this.traces.oldestArrival() ?? Infinity
      const l = this.logs.oldestArrival() ?? Infinity
      const m = this.metrics.oldestArrival() ?? Infinity
      if (t === Infinity && l === Infinity && m === Infinity) return
      if (t <= l && t <= m) {
        const before = this.traces.spanCount
        this.traces.evictOldest()
        this.evictedForBytes += before - this.traces.spanCount
      } else if (l <= m) {
        this.logs.evictOldest()
        this.evictedForBytes++
      } else {
        this.metrics.evictOldest()
        this.evictedForBytes++
      }
    }
  }

  addSpans(spans: StoredSpan[]): void {
    if (spans.length === 0) return
    const traceIds = this.traces.add(spans, this.now())
    this.enforceBudget()
    this.emit({ signal: "traces", traceIds })
  }

  /** Spans prepared by ingest (straight from protobuf), encoded with the store's attribute limits. */
  addSpanIns(spans: SpanIn[], pre?: Writer): void {
    if (spans.length === 0) {
      if (pre) pre.pos = 0
      return
    }
    const traceIds = this.traces.addIn(spans, this.now(), this.attrLimits, this.limited, pre)
    this.enforceBudget()
    this.emit({ signal: "traces", traceIds })
  }

  /** Records prepared by ingest (straight from protobuf). */
  addLogIns(logs: LogIn[], pre?: Writer): void {
    if (logs.length === 0) {
      if (pre) pre.pos = 0
      return
    }
    const stored = this.logs.addIn(logs, this.now(), pre)
    this.enforceBudget()
    this.emit({ signal: "logs", logs: stored })
  }

  addLogs(logs: IncomingLog[]): void {
    if (logs.length === 0) return
    const stored = this.logs.add(logs, this.now())
    this.enforceBudget()
    this.emit({ signal: "logs", logs: stored })
  }

  addPoints(points: IncomingPoint[]): void {
    if (points.length === 0) return
    const names = this.metrics.add(points, this.now())
    this.enforceBudget()
    this.emit({ signal: "metrics", names })
  }

  /** Drop data past retention; queries call this first so age eviction never waits for new data. */
  prune(): void {
    const now = this.now()
    this.traces.prune(now)
    this.logs.prune(now)
    this.metrics.prune(now)
  }

  subscribe(listener: (e: IngestEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  counters(): CollectorCounters {
    this.prune()
    const { traces, logs, metrics } = this
    return {
      traces: { received: traces.received, stored: traces.spanCount, evicted: traces.evicted, traceCount: traces.byId.size },
      metrics: { received: metrics.received, stored: metrics.pointCount, evicted: metrics.evicted, seriesCount: metrics.seriesCount },
      logs: { received: logs.received, stored: logs.ring.length, evicted: logs.evicted },
      rejectedRequests: this.rejectedRequests,
      memory: { bytes: this.bytes, maxBytes: this.maxBytes, evicted: this.evictedForBytes },
      truncatedValues: this.limited.truncatedValues,
      droppedAttributes: this.limited.droppedAttributes,
      limits: {
        traceBuffer: this.limits.traceBuffer,
        metricBuffer: this.limits.metricBuffer,
        logBuffer: this.limits.logBuffer,
        retentionMs: this.limits.retentionMs,
        maxBytes: this.maxBytes,
        attributeValueLength: this.attrLimits.valueLength,
        attributeCount: this.attrLimits.count,
        logBodyLength: this.attrLimits.bodyLength,
      },
    }
  }

  private emit(e: IngestEvent): void {
    for (const l of this.listeners) {
      try {
        l(e)
      } catch {
        // a broken listener must not fail ingestion
      }
    }
  }
}
