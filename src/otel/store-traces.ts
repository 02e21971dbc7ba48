/**
 * Spans grouped into traces. The cap counts traces (not spans); a trace's spans stay together
 * until the whole trace is evicted. Two guards keep memory bounded when one trace is huge:
 * a per-trace span cap and a total span cap (oldest traces go first).
 */
import { Fifo } from "./fifo.ts"
import { attributesKey, isoFromMs, nanosToMs } from "./attrs.ts"
import { hex32, idHalves, intern, Reader, Writer } from "./compact.ts"
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

/**
 * A stored span in compact form (see compact.ts): the fields indexes and lists need are kept
 * inline; ids of 8 bytes as two 32-bit halves; attributes, events, links, exact nanosecond
 * times, the parent id and the status message stay encoded in the batch buffer and are decoded
 * by the getters. Implements StoredSpan, so queries read it like a plain span.
 */
export class CompactSpan implements StoredSpan {
  constructor(
    readonly entry: TraceEntry,
    readonly hi: number,
    readonly lo: number,
    /** the span id when it is not 8 bytes (a malformed sender): kept as given */
    readonly oddId: string | undefined,
    readonly name: string,
    readonly resource: ResourceInfo,
    readonly scope: { name: string; version?: string },
    readonly startMs: number,
    readonly endMs: number,
    /** kind | statusCode << 3 | isError << 5 | hasParent << 6 */
    readonly bits: number,
    /** the batch's buffer (set once the batch is written) */
    public buf: Buffer,
    readonly off: number,
  ) {}

  get traceId(): string {
    return this.entry.traceId
  }
  get spanId(): string {
    return this.oddId ?? hex32(this.hi) + hex32(this.lo)
  }
  get kind(): number {
    return this.bits & 7
  }
  get statusCode(): number {
    return (this.bits >> 3) & 3
  }
  get isError(): boolean {
    return (this.bits & 32) !== 0
  }
  get parentSpanId(): string | undefined {
    return this.bits & 64 ? this.decode().parentSpanId : undefined
  }
  get startNs(): bigint {
    return this.decode().startNs
  }
  get endNs(): bigint {
    return this.decode().endNs
  }
  get statusMessage(): string {
    return this.decode().statusMessage
  }
  get attributes(): Attributes {
    return this.decode().attributes
  }
  get events(): SpanEvent[] {
    return this.decode().events
  }
  get links(): SpanLink[] {
    return this.decode().links
  }

  /** Everything encoded, materialised (a query touching several fields should call this once). */
  decode(): Decoded {
    const r = new Reader(this.buf, this.off)
    const startNs = r.i64()
    const endNs = r.i64()
    const parentSpanId = this.bits & 64 ? r.str() : undefined
    const statusMessage = r.str()
    const attributes = r.attrs()
    const events: SpanEvent[] = []
    for (let n = r.varint(); n > 0; n--) {
      const name = r.value() as string
      const t = r.i64()
      events.push({ name, timestamp: isoFromMs(nanosToMs(t)), timeUnixNano: t.toString(), attributes: r.attrs() })
    }
    const links: SpanLink[] = []
    for (let n = r.varint(); n > 0; n--) {
      const traceId = r.str()
      const spanId = r.str()
      const traceState = r.str()
      links.push({ traceId, spanId, ...(traceState ? { traceState } : {}), attributes: r.attrs() })
    }
    return { startNs, endNs, parentSpanId, statusMessage, attributes, events, links }
  }

  sameId(hi: number, lo: number, odd: string | undefined): boolean {
    return this.hi === hi && this.lo === lo && this.oddId === odd
  }
}

interface Decoded {
  startNs: bigint
  endNs: bigint
  parentSpanId?: string
  statusMessage: string
  attributes: Attributes
  events: SpanEvent[]
  links: SpanLink[]
}

/** Writes the encoded part of a span; returns its offset in the batch. */
function encodeSpan(w: Writer, s: StoredSpan): number {
  const off = w.pos
  w.i64(s.startNs)
  w.i64(s.endNs)
  if (s.parentSpanId) w.str(s.parentSpanId)
  w.str(s.statusMessage)
  w.attrs(s.attributes)
  w.varint(s.events.length)
  for (const e of s.events) {
    w.maybeRef(e.name)
    w.i64(BigInt(e.timeUnixNano))
    w.attrs(e.attributes)
  }
  w.varint(s.links.length)
  for (const l of s.links) {
    w.str(l.traceId)
    w.str(l.spanId)
    w.str(l.traceState ?? "")
    w.attrs(l.attributes)
  }
  return off
}

/** Inline part of a CompactSpan: object header, 12 fields, its slot in the trace's array. */
const EMPTY = Buffer.alloc(0)

const SPAN_OVERHEAD = 16 + 12 * 8 + 8

/** Attribute bags of resources and scopes, shared by every span and log record that carries the same one. */
const resources = new Map<string, ResourceInfo>()
const scopes = new Map<string, { name: string; version?: string }>()
const MAX_SHARED = 10_000

let lastAttrs: [Attributes, Attributes] | undefined
const attrBags = new Map<string, Attributes>()

/** One shared copy of an attribute bag that many records carry (a log record's resource). */
export function sharedAttrs(a: Attributes): Attributes {
  if (lastAttrs?.[0] === a) return lastAttrs[1]
  const key = attributesKey(a)
  let out = attrBags.get(key)
  if (!out) {
    if (attrBags.size >= MAX_SHARED) attrBags.clear()
    attrBags.set(key, (out = a))
  }
  lastAttrs = [a, out]
  return out
}

let lastResource: [ResourceInfo, ResourceInfo] | undefined
let lastScope: [object, { name: string; version?: string }] | undefined

export function sharedResource(r: ResourceInfo): ResourceInfo {
  // ingest hands every item of a batch the same resource object: look it up once
  if (lastResource?.[0] === r) return lastResource[1]
  const key = r.service + "\u0000" + attributesKey(r.attributes)
  let out = resources.get(key)
  if (!out) {
    if (resources.size >= MAX_SHARED) resources.clear()
    out = { service: intern(r.service), attributes: r.attributes }
    resources.set(key, out)
  }
  lastResource = [r, out]
  return out
}

export function sharedScope(s: { name: string; version?: string }): { name: string; version?: string } {
  if (lastScope?.[0] === s) return lastScope[1]
  const key = s.name + "\u0000" + (s.version ?? "")
  let out = scopes.get(key)
  if (!out) {
    if (scopes.size >= MAX_SHARED) scopes.clear()
    out = s.version ? { name: intern(s.name), version: s.version } : { name: intern(s.name) }
    scopes.set(key, out)
  }
  lastScope = [s, out]
  return out
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
  readonly services = new Set<string>()
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
    const touched = new Set<string>()
    this.received += spans.length
    const w = this.writer
    const made: CompactSpan[] = []
    for (const span of spans) {
      let t = this.byId.get(span.traceId)
      if (!t) {
        t = new TraceEntry(span.traceId, now)
        this.byId.set(span.traceId, t)
        this.order.push(t)
        this.bytes += TRACE_OVERHEAD
      }
      const halves = idHalves(span.spanId)
      const [hi, lo] = halves ?? [0, 0]
      const odd = halves ? undefined : span.spanId
      // exporters retry whole batches after timeouts: a repeated span id is a duplicate
      if (t.has(hi, lo, odd) || t.spans.length >= this.limits.maxSpansPerTrace) {
        this.evicted++
        continue
      }
      const off = encodeSpan(w, span)
      const bits = (span.kind & 7) | ((span.statusCode & 3) << 3) | (span.isError ? 32 : 0) | (span.parentSpanId ? 64 : 0)
      const c = new CompactSpan(t, hi, lo, odd, intern(span.name), sharedResource(span.resource), sharedScope(span.scope), span.startMs, span.endMs, bits, EMPTY, off)
      made.push(c)
      t.push(c)
      this.spanCount++
      const b = SPAN_OVERHEAD + (odd ? 40 + odd.length : 0) + w.pos - off
      t.bytes += b
      this.bytes += b
      t.lastReceivedAt = now
      if (!span.parentSpanId) t.root ??= c
      if (!t.first || c.startMs < t.first.startMs) t.first = c
      if (c.startMs < t.startMs) t.startMs = c.startMs
      if (c.endMs > t.endMs) t.endMs = c.endMs
      if (span.isError) t.errorCount++
      const service = c.resource.service
      if (!t.services.has(service)) {
        t.services.add(service)
        let set = this.byService.get(service)
        if (!set) this.byService.set(service, (set = new Set()))
        set.add(t)
      }
      touched.add(t.traceId)
    }
    if (made.length) {
      const buf = w.take()
      for (const c of made) c.buf = buf
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
