/**
 * A stored span in compact form. Inline (what indexes, lists and duplicate checks read): the
 * trace, the span id as two 32-bit halves, a shared shape (name, resource, scope), start/end
 * in ms and a bit field. Everything else is encoded in the batch buffer (compact.ts) and
 * decoded by the getters, so a CompactSpan reads like a plain StoredSpan.
 *
 * Encoded: [odd span id: str] start ns: i64, duration ns: varint, [parent: 8 bytes | str],
 * status message: str, attributes, events (name ref, time i64, attributes)*, links*.
 */
import { isoFromMs, nanosToMs, toHex, type AttrLimits, type LimitCounters } from "./attrs.ts"
import type { Span } from "./gen/trace_pb.ts"
import { hex32, idHalves, intern, Reader, type Writer } from "./compact.ts"
import { sharedResource, sharedScope } from "./shared.ts"
import type { Attributes, SpanEvent, SpanLink } from "./model.ts"
import type { ResourceInfo, StoredSpan, TraceEntry } from "./store-traces.ts"

type Scope = { name: string; version?: string }

/** What many spans have in common: one object for all spans of a name under one resource and scope. */
export interface Shape {
  name: string
  resource: ResourceInfo
  scope: Scope
}

const KIND = 7
const STATUS_SHIFT = 3
const ERROR = 32
const PARENT = 64
/** span id is not 8 bytes: it is kept as a string in the encoded part */
const ODD_ID = 128
/** parent id is not 8 bytes */
const ODD_PARENT = 256

export class CompactSpan implements StoredSpan {
  constructor(
    readonly entry: TraceEntry,
    readonly hi: number,
    readonly lo: number,
    readonly shape: Shape,
    readonly startMs: number,
    readonly endMs: number,
    readonly bits: number,
    /** the batch's buffer (set once the batch is written) */
    public buf: Buffer,
    readonly off: number,
  ) {}

  get traceId(): string {
    return this.entry.traceId
  }
  get spanId(): string {
    return this.bits & ODD_ID ? new Reader(this.buf, this.off).str() : hex32(this.hi) + hex32(this.lo)
  }
  get name(): string {
    return this.shape.name
  }
  get resource(): ResourceInfo {
    return this.shape.resource
  }
  get scope(): Scope {
    return this.shape.scope
  }
  get kind(): number {
    return this.bits & KIND
  }
  get statusCode(): number {
    return (this.bits >> STATUS_SHIFT) & 3
  }
  get isError(): boolean {
    return (this.bits & ERROR) !== 0
  }
  get hasParent(): boolean {
    return (this.bits & PARENT) !== 0
  }
  get parentSpanId(): string | undefined {
    return this.bits & PARENT ? this.decode().parentSpanId : undefined
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

  /**
   * Everything encoded, materialised. The last span decoded is remembered, so a caller reading
   * several getters of one span in a row (trace detail reads seven) decodes it once.
   */
  decode(): Decoded {
    if (lastSpan === this && lastBuf === this.buf) return lastDecoded!
    const d = this.decodeNow()
    lastSpan = this
    lastBuf = this.buf
    lastDecoded = d
    return d
  }

  private decodeNow(): Decoded {
    const r = new Reader(this.buf, this.off)
    if (this.bits & ODD_ID) r.str()
    const startNs = r.i64()
    const endNs = startNs + BigInt(r.varint())
    let parentSpanId: string | undefined
    if (this.bits & ODD_PARENT) parentSpanId = r.str()
    else if (this.bits & PARENT) parentSpanId = r.bytes(8).toString("hex")
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

  /**
   * The span as a plain object. Fields are getters on the prototype: `{ ...span }` copies none
   * of them and JSON.stringify would walk the trace entry, so both go through this.
   */
  plain(): StoredSpan {
    const d = this.decode()
    return {
      traceId: this.traceId,
      spanId: this.spanId,
      ...(d.parentSpanId ? { parentSpanId: d.parentSpanId } : {}),
      name: this.name,
      kind: this.kind,
      startNs: d.startNs,
      endNs: d.endNs,
      startMs: this.startMs,
      endMs: this.endMs,
      statusCode: this.statusCode,
      statusMessage: d.statusMessage,
      isError: this.isError,
      attributes: d.attributes,
      events: d.events,
      links: d.links,
      resource: this.resource,
      scope: this.scope,
    }
  }

  toJSON(): unknown {
    const p = this.plain()
    return { ...p, startNs: p.startNs.toString(), endNs: p.endNs.toString() }
  }

  sameId(hi: number, lo: number, odd: string | undefined): boolean {
    if (odd !== undefined) return (this.bits & ODD_ID) !== 0 && this.spanId === odd
    return this.hi === hi && this.lo === lo && (this.bits & ODD_ID) === 0
  }
}

let lastSpan: CompactSpan | undefined
let lastBuf: Buffer | undefined
let lastDecoded: Decoded | undefined

export interface Decoded {
  startNs: bigint
  endNs: bigint
  parentSpanId?: string
  statusMessage: string
  attributes: Attributes
  events: SpanEvent[]
  links: SpanLink[]
}

/** Inline part of a CompactSpan: object header, 9 fields, its slot in the trace's array. */
export const SPAN_OVERHEAD = 16 + 9 * 8 + 8

const HEX16 = /^[0-9a-f]{16}$/

/** The span id as halves, or the odd string (not 16 lowercase hex digits). */
export function idOf(spanId: string): { hi: number; lo: number; odd?: string } {
  const h = HEX16.test(spanId) ? idHalves(spanId) : undefined
  return h ? { hi: h[0], lo: h[1] } : { hi: 0, lo: 0, odd: spanId }
}

export function spanBits(s: StoredSpan, odd: boolean): number {
  const p = s.parentSpanId
  return (
    (s.kind & KIND) |
    ((s.statusCode & 3) << STATUS_SHIFT) |
    (s.isError ? ERROR : 0) |
    (p ? PARENT : 0) |
    (odd ? ODD_ID : 0) |
    (p && !HEX16.test(p) ? ODD_PARENT : 0)
  )
}

/** Writes the encoded part of a span; returns its offset in the batch. */
export function encodeSpan(w: Writer, s: StoredSpan, bits: number): number {
  const off = w.pos
  if (bits & ODD_ID) w.str(s.spanId)
  w.i64(s.startNs)
  const dur = s.endNs - s.startNs
  w.varint(dur > 0n ? Number(dur) : 0)
  if (bits & ODD_PARENT) w.str(s.parentSpanId!)
  else if (bits & PARENT) w.bytes(Buffer.from(s.parentSpanId!, "hex"))
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

/** A span on its way into the store: the inline fields, and the source its encoded part is written from. */
export interface SpanIn {
  traceId: string
  hi: number
  lo: number
  bits: number
  startMs: number
  endMs: number
  shape: Shape
  plain?: StoredSpan
  proto?: Span
  /** already encoded (from wire bytes): offset and length in the batch's writer */
  off?: number
  len?: number
  /** the span id, when it is not 8 bytes (wire spans) */
  oddId?: string
}

export function plainIn(s: StoredSpan): SpanIn {
  const { hi, lo, odd } = idOf(s.spanId)
  return { traceId: s.traceId, hi, lo, bits: spanBits(s, odd !== undefined), startMs: s.startMs, endMs: s.endMs, shape: spanShape(s), plain: s }
}

/** The odd span id of an input (rare: ids that are not 8 bytes). */
export function oddIdOf(p: SpanIn): string | undefined {
  if (!(p.bits & ODD_ID)) return undefined
  return p.plain ? p.plain.spanId : p.proto ? toHex(p.proto.spanId) : p.oddId
}

function nonZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return true
  return false
}

export function nonZeroRange(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return true
  return false
}

/** Bits of a span read from wire bytes (wire-spans.ts). */
export function spanBitsOf(kind: number, statusCode: number, isError: boolean, hasParent: boolean, oddId: boolean, oddParent: boolean): number {
  return (kind & KIND) | ((statusCode & 3) << STATUS_SHIFT) | (isError ? ERROR : 0) | (hasParent ? PARENT : 0) | (oddId ? ODD_ID : 0) | (oddParent ? ODD_PARENT : 0)
}

/** Bits of a protobuf span; `isError` is decided by the caller (status or HTTP 5xx). */
export function protoBits(s: Span, isError: boolean): number {
  const p = s.parentSpanId
  const hasParent = nonZero(p)
  return (
    (s.kind & KIND) |
    (((s.status?.code ?? 0) & 3) << STATUS_SHIFT) |
    (isError ? ERROR : 0) |
    (hasParent ? PARENT : 0) |
    (s.spanId.length !== 8 ? ODD_ID : 0) |
    (hasParent && p.length !== 8 ? ODD_PARENT : 0)
  )
}

/** Writes the encoded part of a protobuf span directly (no intermediate objects), with the limits applied. */
export function encodeProtoSpan(w: Writer, s: Span, bits: number, lim: AttrLimits, c: LimitCounters): number {
  const off = w.pos
  const max = lim.valueLength
  const cut = (x: string) => (x.length <= max ? x : (c.truncatedValues++, x.slice(0, max) + "…"))
  if (bits & ODD_ID) w.str(toHex(s.spanId))
  const start = s.startTimeUnixNano
  w.i64(start)
  const dur = s.endTimeUnixNano - start
  w.varint(dur > 0n ? Number(dur) : 0)
  if (bits & ODD_PARENT) w.str(toHex(s.parentSpanId))
  else if (bits & PARENT) w.bytes(s.parentSpanId)
  w.str(cut(s.status?.message ?? ""))
  w.kvs(s.attributes, lim, c)
  w.varint(s.events.length)
  for (const e of s.events) {
    w.maybeRef(cut(e.name))
    w.i64(e.timeUnixNano)
    w.kvs(e.attributes, lim, c)
  }
  w.varint(s.links.length)
  for (const l of s.links) {
    w.str(toHex(l.traceId))
    w.str(toHex(l.spanId))
    w.str(cut(l.traceState))
    w.kvs(l.attributes, lim, c)
  }
  return off
}

const shapes = new Map<ResourceInfo, Map<Scope, Map<string, Shape>>>()
let shapeCount = 0
const MAX_SHAPES = 50_000

/** The shared shape of a span (bounded table; when full it starts over). */
export function spanShape(s: { name: string; resource: ResourceInfo; scope: Scope }): Shape {
  const resource = sharedResource(s.resource)
  const scope = sharedScope(s.scope)
  let byScope = shapes.get(resource)
  if (!byScope) shapes.set(resource, (byScope = new Map()))
  let byName = byScope.get(scope)
  if (!byName) byScope.set(scope, (byName = new Map()))
  let shape = byName.get(s.name)
  if (!shape) {
    if (shapeCount >= MAX_SHAPES) {
      shapes.clear()
      shapeCount = 0
    }
    shape = { name: intern(s.name), resource, scope }
    byName.set(s.name, shape)
    shapeCount++
  }
  return shape
}
