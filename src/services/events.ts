/**
 * Lifecycle events and process output as telemetry. Every start, ready, crash, restart, stop,
 * config reload and rebuild becomes an OTel log record of service `devrig` (attributes
 * `devrig.event`, `devrig.component` and the details), and every output line of a service or
 * container becomes a log record of that service (`log.source` = stdout/stderr; JSON and logfmt
 * parsed). Both land in the same store as OTLP data, so queries, correlation and the dashboard
 * see them. Events are also kept here (bounded), for change cursors and crash reports.
 */
import type { TelemetryStore } from "../otel/store.ts"
import type { LogLevel, LogRecord } from "../otel/model.ts"
import { parseLine, SEVERITY } from "./line-parse.ts"
import type { Stream } from "./logs.ts"

export type LifecycleEvent = "start" | "ready" | "crash" | "restart" | "stop" | "failed" | "reload" | "rebuild"

export interface EventRecord {
  event: LifecycleEvent
  component: string
  timeMs: number
  body: string
  details: Record<string, string | number | boolean>
}

const MAX_EVENTS = 2000
const EVENT_LEVEL: Record<LifecycleEvent, LogLevel> = { start: "info", ready: "info", crash: "error", restart: "warn", stop: "info", failed: "error", reload: "info", rebuild: "info" }

export class Telemetry {
  private store?: TelemetryStore
  readonly events: EventRecord[] = []
  private lastMs = 0

  attach(store: TelemetryStore): void {
    this.store = store
    // Events recorded before the collector was up (container phase) are not lost.
    this.store.addLogs(this.events.map((e) => ({ rec: eventRecord(e), timeMs: e.timeMs, receivedAt: e.timeMs })))
  }

  event(event: LifecycleEvent, component: string, body: string, details: EventRecord["details"] = {}): void {
    // Strictly increasing, so ordering by time always gives the order events happened in: a
    // service that is ready the moment it spawns records "started" and "is ready" in the same
    // millisecond, and a sort by timestamp could otherwise put "ready" first.
    const timeMs = Math.max(Date.now(), this.lastMs + 0.001)
    this.lastMs = timeMs
    const e: EventRecord = { event, component, timeMs, body, details }
    this.events.push(e)
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS)
    this.store?.addLogs([{ rec: eventRecord(e), timeMs: e.timeMs, receivedAt: e.timeMs }])
  }

  /** Time of the last event of this kind (and component), for `--since-restart` / `--since-reload`. */
  last(event: LifecycleEvent | LifecycleEvent[], component?: string): number | undefined {
    const kinds = Array.isArray(event) ? event : [event]
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!
      if (kinds.includes(e.event) && (!component || e.component === component)) return e.timeMs
    }
    return undefined
  }

  line(name: string, stream: Stream, text: string): void {
    if (!this.store || stream === "sys" || !text.trim()) return
    const now = Date.now()
    const p = parseLine(text, stream)
    const timeMs = p.timeMs && Math.abs(p.timeMs - now) < 86_400_000 ? p.timeMs : now
    const rec = record(name, timeMs, now, p.level, p.body, { ...p.attributes, "log.source": stream === "err" ? "stderr" : "stdout", "log.format": p.format }, "devrig.stdout")
    if (p.traceId) rec.traceId = p.traceId
    if (p.spanId) rec.spanId = p.spanId
    this.store.addLogs([{ rec, timeMs, receivedAt: now }])
  }
}

function eventRecord(e: EventRecord): LogRecord {
  return record("devrig", e.timeMs, e.timeMs, EVENT_LEVEL[e.event], e.body, { "devrig.event": e.event, "devrig.component": e.component, ...e.details }, "devrig.lifecycle")
}

function record(service: string, timeMs: number, observedMs: number, level: LogLevel, body: string, attributes: LogRecord["attributes"], scope: string): LogRecord {
  return {
    timestamp: new Date(timeMs).toISOString(),
    observedTimestamp: new Date(observedMs).toISOString(),
    timeUnixNano: `${BigInt(Math.round(timeMs * 1000)) * 1000n}`,
    service,
    severityText: level.toUpperCase(),
    severityNumber: SEVERITY[level],
    level,
    body,
    attributes,
    resource: { "service.name": service },
    scope: { name: scope },
  }
}
