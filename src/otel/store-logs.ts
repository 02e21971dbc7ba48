/**
 * Log records in a ring buffer (arrival order), with indexes by service and by trace id.
 * Eviction always removes the oldest record, which is also the oldest entry of its service
 * and trace-id indexes, so index maintenance is a shift.
 */
import { Fifo } from "./fifo.ts"
import { isoFromMs, type AttrLimits, type LimitCounters } from "./attrs.ts"
import type { LogRecord as ProtoLog } from "./gen/logs_pb.ts"
import { allocatedSize, intern, Reader, Writer } from "./compact.ts"
import { sharedAttrs, sharedScope } from "./shared.ts"
import type { AttrValue, Attributes, LogLevel, LogRecord } from "./model.ts"

/** A log record as producers hand it to the store (ingest, devrig's own output and events). */
export interface IncomingLog {
  rec: LogRecord
  timeMs: number
  receivedAt: number
}

/**
 * A stored log record in compact form: what filters read is inline (service, trace id, level,
 * scope); body, attributes and the remaining fields stay encoded in the batch buffer until
 * `rec` materialises the record.
 */
export class StoredLog implements IncomingLog {
  constructor(
    readonly timeMs: number,
    readonly receivedAt: number,
    readonly service: string,
    readonly traceId: string | undefined,
    readonly level: LogLevel,
    readonly scope: { name: string; version?: string },
    readonly resource: Attributes,
    public buf: Buffer,
    readonly off: number,
  ) {}

  /** approximate heap bytes (set when stored) */
  bytes = 0

  /** Fields are getters: JSON.stringify sees the materialised record, not the buffer. */
  toJSON(): IncomingLog {
    return { rec: this.rec, timeMs: this.timeMs, receivedAt: this.receivedAt }
  }

  /** The body alone (text search reads only this). */
  get body(): AttrValue {
    const r = new Reader(this.buf, this.off)
    r.pos += 16
    r.value()
    r.varint()
    return r.value()
  }

  get rec(): LogRecord {
    const r = new Reader(this.buf, this.off)
    const timeUnixNano = r.i64().toString()
    const observedMs = r.f64()
    const severityText = r.value() as string
    const severityNumber = r.varint()
    const body = r.value()
    const attributes = r.attrs()
    const spanId = r.bytes(r.byte()).toString("hex")
    return {
      timestamp: isoFromMs(this.timeMs),
      observedTimestamp: isoFromMs(observedMs),
      timeUnixNano,
      service: this.service,
      severityText,
      severityNumber,
      level: this.level,
      body,
      attributes,
      ...(this.traceId ? { traceId: this.traceId } : {}),
      ...(spanId ? { spanId } : {}),
      resource: this.resource,
      scope: this.scope,
    }
  }
}

/** A record on its way in: inline fields, and the source its encoded part is written from. */
export interface LogIn {
  timeMs: number
  receivedAt: number
  service: string
  traceId?: string
  level: LogLevel
  scope: { name: string; version?: string }
  resource: Attributes
  plain?: LogRecord
  proto?: { rec: ProtoLog; timeNs: bigint; observedMs: number; lim: AttrLimits; counters: LimitCounters }
  /** already encoded (from wire bytes): offset and length in the batch's writer */
  off?: number
  len?: number
}

function plainIn(l: IncomingLog): LogIn {
  const r = l.rec
  return { timeMs: l.timeMs, receivedAt: l.receivedAt, service: r.service, traceId: r.traceId, level: r.level, scope: r.scope, resource: r.resource, plain: r }
}

function bigintOr0(s: string): bigint {
  try {
    return BigInt(s)
  } catch {
    return 0n
  }
}

function encodeLog(w: Writer, l: LogIn, bodyLimit: number, plainCounters: LimitCounters): number {
  const off = w.pos
  const rec = l.plain
  if (rec) {
    w.i64(bigintOr0(rec.timeUnixNano))
    const observed = Date.parse(rec.observedTimestamp)
    w.f64(Number.isNaN(observed) ? 0 : observed)
    w.maybeRef(rec.severityText)
    w.varint(rec.severityNumber >>> 0)
    // devrig's own records (a service's stdout line) are held to the body limit too
    const body = rec.body
    if (typeof body === "string" && body.length > bodyLimit) {
      plainCounters.truncatedValues++
      w.value(body.slice(0, bodyLimit) + "…")
    } else w.value(body)
    w.attrs(rec.attributes)
    const span = rec.spanId && /^[0-9a-f]+$/.test(rec.spanId) && rec.spanId.length % 2 === 0 ? Buffer.from(rec.spanId, "hex") : EMPTY
    w.byte(span.byteLength)
    w.bytes(span)
    return off
  }
  const { rec: p, timeNs, observedMs, lim, counters } = l.proto!
  w.i64(timeNs)
  w.f64(observedMs)
  const sev = p.severityText
  w.maybeRef(sev.length <= lim.valueLength ? sev : (counters.truncatedValues++, sev.slice(0, lim.valueLength) + "…"))
  w.varint(p.severityNumber >>> 0)
  w.anyValue(p.body, lim.bodyLength, counters)
  const event = p.eventName && !p.attributes.some((kv) => kv.key === "event.name") ? p.eventName.slice(0, lim.valueLength) : undefined
  w.kvs(p.attributes, lim, counters, event)
  const span = p.spanId.some((b) => b !== 0) && p.spanId.length < 256 ? p.spanId : EMPTY
  w.byte(span.byteLength)
  w.bytes(span)
  return off
}

/** Inline part of a StoredLog: header, 9 fields, its slots in the ring and the service index. */
const LOG_OVERHEAD = 16 + 10 * 8 + 16

const EMPTY = Buffer.alloc(0)

export class LogStore {
  readonly ring = new Fifo<StoredLog>(1024)
  readonly byService = new Map<string, Fifo<StoredLog>>()
  readonly byTrace = new Map<string, StoredLog[]>()
  received = 0
  evicted = 0
  /** approximate heap bytes of the records held (the store's byte budget counts these) */
  bytes = 0
  private readonly writer = new Writer()
  /** body limit and counters for records that arrive as plain objects (set by the store) */
  bodyLimit = Infinity
  counters: LimitCounters = { truncatedValues: 0, droppedAttributes: 0 }

  constructor(readonly limits: { maxLogs: number; retentionMs: number }) {}

  /** Stores the records in compact form; returns them as stored. */
  add(logs: IncomingLog[], now: number): StoredLog[] {
    return this.addIn(logs.map(plainIn), now)
  }

  /**
   * Stores records on their way in (ingest prepares them straight from protobuf). With `pre`,
   * their encoded parts are in that writer already (off/len of each LogIn).
   */
  addIn(logs: LogIn[], now: number, pre?: Writer): StoredLog[] {
    this.received += logs.length
    const w = pre ?? this.writer
    const out: StoredLog[] = new Array(logs.length)
    let i = 0
    for (const p of logs) {
      const off = p.off ?? encodeLog(w, p, this.bodyLimit, this.counters)
      const len = p.len ?? w.pos - off
      const list = p.traceId ? this.byTrace.get(p.traceId) : undefined
      // records of one trace share one copy of its id
      const traceId = list ? list[0]!.traceId : p.traceId
      const l = new StoredLog(p.timeMs, p.receivedAt, intern(p.service), traceId, p.level, sharedScope(p.scope), sharedAttrs(p.resource), EMPTY, off)
      l.bytes = LOG_OVERHEAD + len + (traceId && !list ? 64 + traceId.length : 0)
      out[i++] = l
      this.ring.push(l)
      this.bytes += l.bytes
      let svc = this.byService.get(l.service)
      if (!svc) this.byService.set(l.service, (svc = new Fifo(64)))
      svc.push(l)
      if (traceId) {
        if (list) list.push(l)
        else this.byTrace.set(traceId, [l])
      }
    }
    const buf = w.take()
    for (const l of out) l.buf = buf
    // the allocator's rounding of the batch buffer is carried by its last record
    const slack = allocatedSize(buf.byteLength) - buf.byteLength
    if (slack > 0 && out.length) {
      out[out.length - 1]!.bytes += slack
      this.bytes += slack
    }
    while (this.ring.length > this.limits.maxLogs) this.evictOldest()
    this.prune(now)
    return out
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
    this.bytes -= l.bytes
    const svc = this.byService.get(l.service)
    if (svc) {
      svc.shift()
      if (svc.length === 0) this.byService.delete(l.service)
    }
    if (l.traceId) {
      const list = this.byTrace.get(l.traceId)
      if (list) {
        list.shift()
        if (list.length === 0) this.byTrace.delete(l.traceId)
      }
    }
  }
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
