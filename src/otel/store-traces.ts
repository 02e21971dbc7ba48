/**
 * Spans grouped into traces. The cap counts traces (not spans); a trace's spans stay together
 * until the whole trace is evicted. Two guards keep memory bounded when one trace is huge:
 * a per-trace span cap and a total span cap (oldest traces go first).
 */
import { Fifo } from "./fifo.ts"
import { allocatedSize, Writer } from "./compact.ts"
import { CompactSpan, encodeProtoSpan, encodeSpan, oddIdOf, plainIn, SPAN_OVERHEAD, type SpanIn } from "./compact-span.ts"
import { DEFAULT_ATTR_LIMITS, type AttrLimits, type LimitCounters } from "./attrs.ts"
import type { Attributes, SpanEvent, SpanLink } from "./model.ts"

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

/** Below this many spans a trace finds duplicates by scanning; above, by a set of id keys. */
const SCAN_LIMIT = 32

export class TraceEntry {
  readonly spans: CompactSpan[] = []
  root?: CompactSpan
  /** earliest-starting span: stands in for the root until it arrives */
  first!: CompactSpan
  startMs = Infinity
  endMs = -Infinity
  /** a few per trace: an array costs far less than a Set */
  readonly services: string[] = []
  errorCount = 0
  lastReceivedAt: number
  /** approximate heap bytes of the trace's spans (the store's byte budget counts these) */
  bytes = TRACE_OVERHEAD
  /** 52 bits of each span id, once the trace is too long to scan */
  private idKeys?: Set<number>

  constructor(
    readonly traceId: string,
    readonly firstReceivedAt: number,
  ) {
    this.lastReceivedAt = firstReceivedAt
  }

  /** Span ids of the trace, built on demand (trace detail). */
  get spanIds(): Set<string> {
    return new Set(this.spans.map((s) => s.spanId))
  }

  has(hi: number, lo: number, odd: string | undefined): boolean {
    if (this.idKeys) {
      if (!this.idKeys.has(idKey(hi, lo))) return false
    }
    for (const s of this.spans) if (s.sameId(hi, lo, odd)) return true
    return false
  }

  push(s: CompactSpan): void {
    this.spans.push(s)
    if (this.idKeys) this.idKeys.add(idKey(s.hi, s.lo))
    else if (this.spans.length >= SCAN_LIMIT) this.idKeys = new Set(this.spans.map((x) => idKey(x.hi, x.lo)))
  }
}

function idKey(hi: number, lo: number): number {
  return (hi & 0xfffff) * 4294967296 + (lo >>> 0)
}

export interface TraceLimits {
  maxTraces: number
  maxSpans: number
  maxSpansPerTrace: number
  retentionMs: number
}

const TRACE_OVERHEAD = 400
const EMPTY = Buffer.alloc(0)


export class TraceStore {
  readonly byId = new Map<string, TraceEntry>()
  readonly byService = new Map<string, Set<TraceEntry>>()
  /** traces in first-arrival order: eviction pops the front */
  readonly order = new Fifo<TraceEntry>(1024)
  received = 0
  evicted = 0
  spanCount = 0
  bytes = 0
  private readonly writer = new Writer()

  constructor(readonly limits: TraceLimits) {}

  /** Returns the ids of traces that changed. */
  add(spans: StoredSpan[], now: number): Set<string> {
    return this.addIn(spans.map(plainIn), now)
  }

  /**
   * Stores spans on their way in (ingest prepares them straight from protobuf). With `pre`,
   * their encoded parts are in that writer already (off/len of each SpanIn).
   */
  addIn(spans: SpanIn[], now: number, lim: AttrLimits = DEFAULT_ATTR_LIMITS, counters: LimitCounters = { truncatedValues: 0, droppedAttributes: 0 }, pre?: Writer): Set<string> {
    const touched = new Set<string>()
    this.received += spans.length
    const w = pre ?? this.writer
    const made: CompactSpan[] = []
    let kept = 0
    for (const p of spans) {
      let t = this.byId.get(p.traceId)
      if (!t) {
        t = new TraceEntry(p.traceId, now)
        this.byId.set(p.traceId, t)
        this.order.push(t)
        this.bytes += TRACE_OVERHEAD
      }
      // exporters retry whole batches after timeouts: a repeated span id is a duplicate
      if (t.has(p.hi, p.lo, oddIdOf(p)) || t.spans.length >= this.limits.maxSpansPerTrace) {
        this.evicted++
        continue
      }
      const off = p.off ?? (p.plain ? encodeSpan(w, p.plain, p.bits) : encodeProtoSpan(w, p.proto!, p.bits, lim, counters))
      const len = p.len ?? w.pos - off
      const c = new CompactSpan(t, p.hi, p.lo, p.shape, p.startMs, p.endMs, p.bits, EMPTY, off)
      made.push(c)
      t.push(c)
      this.spanCount++
      kept += len
      const b = SPAN_OVERHEAD + len
      t.bytes += b
      this.bytes += b
      t.lastReceivedAt = now
      if (!c.hasParent) t.root ??= c
      if (!t.first || c.startMs < t.first.startMs) t.first = c
      if (c.startMs < t.startMs) t.startMs = c.startMs
      if (c.endMs > t.endMs) t.endMs = c.endMs
      if (c.isError) t.errorCount++
      const service = c.resource.service
      if (!t.services.includes(service)) {
        t.services.push(service)
        let set = this.byService.get(service)
        if (!set) this.byService.set(service, (set = new Set()))
        set.add(t)
      }
      touched.add(t.traceId)
    }
    if (made.length) {
      const buf = w.take()
      for (const c of made) c.buf = buf
      // the allocator's rounding of the batch buffer, and the encoded parts of duplicates
      // written before they were found to be, are carried by the last span's trace
      const slack = allocatedSize(buf.byteLength) - kept
      made[made.length - 1]!.entry.bytes += slack
      this.bytes += slack
    } else w.pos = 0
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
