/**
 * Log records in a ring buffer (arrival order), with indexes by service and by trace id.
 * Eviction always removes the oldest record, which is also the oldest entry of its service
 * and trace-id indexes, so index maintenance is a shift.
 */
import { Fifo } from "./fifo.ts"
import { approxBytes } from "./attrs.ts"
import type { LogLevel, LogRecord } from "../server/api-types.ts"

export interface StoredLog {
  rec: LogRecord
  timeMs: number
  receivedAt: number
}

export class LogStore {
  readonly ring = new Fifo<StoredLog>(1024)
  readonly byService = new Map<string, Fifo<StoredLog>>()
  readonly byTrace = new Map<string, StoredLog[]>()
  received = 0
  evicted = 0
  /** approximate heap bytes of the records held (the store's byte budget counts these) */
  bytes = 0

  constructor(readonly limits: { maxLogs: number; retentionMs: number }) {}

  add(logs: StoredLog[], now: number): void {
    this.received += logs.length
    for (const l of logs) {
      this.ring.push(l)
      this.bytes += logBytes(l)
      let svc = this.byService.get(l.rec.service)
      if (!svc) this.byService.set(l.rec.service, (svc = new Fifo(64)))
      svc.push(l)
      if (l.rec.traceId) {
        const list = this.byTrace.get(l.rec.traceId)
        if (list) list.push(l)
        else this.byTrace.set(l.rec.traceId, [l])
      }
    }
    while (this.ring.length > this.limits.maxLogs) this.evictOldest()
    this.prune(now)
  }

  prune(now: number): void {
    const cutoff = now - this.limits.retentionMs
    while (this.ring.length > 0 && this.ring.peek()!.receivedAt < cutoff) this.evictOldest()
  }

  clear(): void {
    this.ring.clear()
    this.byService.clear()
    this.byTrace.clear()
    this.bytes = 0
  }

  oldestArrival(): number | undefined {
    return this.ring.peek()?.receivedAt
  }

  evictOldest(): void {
    const l = this.ring.shift()
    if (!l) return
    this.evicted++
    this.bytes -= logBytes(l)
    const svc = this.byService.get(l.rec.service)
    if (svc) {
      svc.shift()
      if (svc.length === 0) this.byService.delete(l.rec.service)
    }
    if (l.rec.traceId) {
      const list = this.byTrace.get(l.rec.traceId)
      if (list) {
        list.shift()
        if (list.length === 0) this.byTrace.delete(l.rec.traceId)
      }
    }
  }
}

/** Approximate heap bytes of one record: its objects, body and attributes (resource and scope are shared). */
export function logBytes(l: StoredLog): number {
  const r = l.rec
  return 360 + approxBytes(r.body) + approxBytes(r.attributes) + r.severityText.length
}

const LEVELS: LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal"]

/** OTLP severity number bands (1–4 trace … 21–24 fatal); text is the fallback when the number is 0. */
export function levelOf(severityNumber: number, severityText: string): LogLevel {
  if (severityNumber >= 1 && severityNumber <= 24) return LEVELS[Math.floor((severityNumber - 1) / 4)]!
  const t = severityText.toLowerCase()
  if (t.startsWith("trace")) return "trace"
  if (t.startsWith("debug")) return "debug"
  if (t.startsWith("info") || t === "notice") return "info"
  if (t.startsWith("warn")) return "warn"
  if (t.startsWith("err")) return "error"
  if (t.startsWith("fatal") || t.startsWith("crit") || t.startsWith("panic") || t.startsWith("emerg")) return "fatal"
  return "unspecified"
}
