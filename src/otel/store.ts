/**
 * The telemetry store: one bounded buffer per signal plus the collector counters. Everything
 * runs on the event loop thread, so no locking. Listeners hear about each ingested batch
 * (the WebSocket hub batches these for clients).
 */
import { LogStore, type StoredLog } from "./store-logs.ts"
import { MetricStore, type IncomingPoint } from "./store-metrics.ts"
import { TraceStore, type StoredSpan } from "./store-traces.ts"
import type { CollectorCounters } from "../server/api-types.ts"

export interface StoreLimits {
  traceBuffer: number
  metricBuffer: number
  logBuffer: number
  retentionMs: number
  /** spans kept per trace (default 10 000) */
  maxSpansPerTrace?: number
  /** spans kept across all traces (default max(100 000, 50 × traceBuffer)) */
  maxSpans?: number
}

export type IngestEvent =
  | { signal: "traces"; traceIds: Set<string> }
  | { signal: "logs"; logs: StoredLog[] }
  | { signal: "metrics"; names: Set<string> }

export class TelemetryStore {
  readonly traces: TraceStore
  readonly logs: LogStore
  readonly metrics: MetricStore
  rejectedRequests = 0
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
  }

  addSpans(spans: StoredSpan[]): void {
    if (spans.length === 0) return
    const traceIds = this.traces.add(spans, this.now())
    this.emit({ signal: "traces", traceIds })
  }

  addLogs(logs: StoredLog[]): void {
    if (logs.length === 0) return
    this.logs.add(logs, this.now())
    this.emit({ signal: "logs", logs })
  }

  addPoints(points: IncomingPoint[]): void {
    if (points.length === 0) return
    const names = this.metrics.add(points, this.now())
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
      limits: {
        traceBuffer: this.limits.traceBuffer,
        metricBuffer: this.limits.metricBuffer,
        logBuffer: this.limits.logBuffer,
        retentionMs: this.limits.retentionMs,
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
