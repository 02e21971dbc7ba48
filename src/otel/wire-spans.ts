/**
 * OTLP trace exports from protobuf wire bytes straight into the store's compact form, without
 * protobuf-es objects per span (decoding those cost more than everything else ingest does).
 * Per span: one pass over its top-level fields for what the store keeps inline (ids, name,
 * times, status, where the attributes, events and links are), then its encoded part written
 * into the batch's buffer from those ranges. Resources and scopes, one per many spans, go
 * through protobuf-es. The whole request is parsed before the store sees any of it, so a
 * malformed request stores nothing; the limits' counters are added only then too.
 */
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf"
import { nonZeroRange, spanBitsOf, spanShape, type Shape, type SpanIn } from "./compact-span.ts"
import { Writer } from "./compact.ts"
import { lim as limitsOf, resourceInfo, scopeInfo, short, type Lim } from "./ingest.ts"
import { kvs, plainString, positionCache, stringValue } from "./wire-attrs.ts"
import { bytesEqual, I32, I64, LEN, malformed, nanosToMsOf, TYPES, VARINT, WireReader } from "./wire.ts"
import type { ResourceInfo } from "./store-traces.ts"
import type { TelemetryStore } from "./store.ts"
import { ResourceSchema } from "./gen/resource_pb.ts"
import { InstrumentationScopeSchema } from "./gen/common_pb.ts"

const writer = new Writer()
const spanAttrs = positionCache()
const otherAttrs = positionCache()

/** An ExportTraceServiceRequest's bytes (OTLP/HTTP protobuf). Returns the spans stored. */
export function ingestTraceBytes(store: TelemetryStore, body: Uint8Array): number {
  const r = WireReader.of(body)
  return ingest(store, r, (each) => eachField(r, 0, r.buf.byteLength, 1, TYPES.export, each))
}

/** The ResourceSpans of an export, each as its bytes (OTLP/gRPC; see receiver-grpc.ts). */
export function ingestResourceSpans(store: TelemetryStore, items: Uint8Array[]): number {
  let total = 0
  for (const item of items) total += item.byteLength
  // one reader over all of them: copy into one buffer (they are slices of one message anyway)
  const all = Buffer.allocUnsafe(total)
  const bounds: number[] = []
  let at = 0
  for (const item of items) {
    all.set(item, at)
    bounds.push(at, (at += item.byteLength))
  }
  const r = new WireReader(all, 0, total)
  return ingest(store, r, (each) => {
    for (let i = 0; i < bounds.length; i += 2) each(bounds[i]!, bounds[i + 1]!)
  })
}

function ingest(store: TelemetryStore, r: WireReader, resourceSpans: (each: (start: number, end: number) => void) => void): number {
  const counters = { truncatedValues: 0, droppedAttributes: 0 }
  const l: Lim = { a: limitsOf(store).a, c: counters }
  const out: SpanIn[] = []
  writer.pos = 0
  try {
    resourceSpans((start, end) => readResourceSpans(r, start, end, l, out))
  } catch (e) {
    writer.pos = 0
    throw e
  }
  store.limited.truncatedValues += counters.truncatedValues
  store.limited.droppedAttributes += counters.droppedAttributes
  store.addSpanIns(out, writer)
  return out.length
}

function sub<D extends DescMessage>(schema: D, r: WireReader, start: number, end: number): MessageShape<D> {
  try {
    return fromBinary(schema, r.buf.subarray(start, end))
  } catch (e) {
    return malformed(`${schema.name}: ${(e as Error).message}`)
  }
}

/** Where field `field` (LEN) last occurs in [start, end), as [start, end] of its payload, or undefined. */
function lastField(r: WireReader, start: number, end: number, field: number, types: readonly number[]): [number, number] | undefined {
  let found: [number, number] | undefined
  r.pos = start
  r.end = end
  while (r.pos < end) {
    const t = r.tag()
    if (t >>> 3 === field) {
      r.expect(t & 7, LEN, `field ${field}`)
      const n = r.len()
      found = [r.pos, (r.pos += n)]
    } else r.other(t, types)
  }
  return found
}

/** Calls `each` for every payload of field `field` (LEN) in [start, end). */
function eachField(r: WireReader, start: number, end: number, field: number, types: readonly number[], each: (s: number, e: number) => void): void {
  for (let p = start; ; ) {
    const s = r.seek(p, end, (field << 3) | LEN, types)
    if (s < 0) return
    p = r.next
    each(s, p)
  }
}

function readResourceSpans(r: WireReader, start: number, end: number, l: Lim, out: SpanIn[]): void {
  // the resource may follow its scope spans on the wire: find it first
  const res = lastField(r, start, end, 1, TYPES.resourceSpans)
  const resource = resourceInfo(res ? sub(ResourceSchema, r, res[0], res[1]) : undefined, l)
  eachField(r, start, end, 2, TYPES.resourceSpans, (s, e) => readScopeSpans(r, s, e, resource, l, out))
}

function readScopeSpans(r: WireReader, start: number, end: number, resource: ResourceInfo, l: Lim, out: SpanIn[]): void {
  const sc = lastField(r, start, end, 1, TYPES.scopeSpans)
  const scope = scopeInfo(sc ? sub(InstrumentationScopeSchema, r, sc[0], sc[1]) : undefined, l)
  const names: Names = { bytes: [], shapes: [] }
  eachField(r, start, end, 2, TYPES.scopeSpans, (s, e) => readSpan(r, s, e, resource, scope, names, l, out))
}

/** The span names seen under one scope, by their bytes: most spans need no name decoded. */
interface Names {
  bytes: Uint8Array[]
  shapes: Shape[]
}
const MAX_NAMES = 64

function shapeOf(r: WireReader, start: number, end: number, resource: ResourceInfo, scope: Shape["scope"], names: Names, l: Lim): Shape {
  for (let i = 0; i < names.bytes.length; i++) if (bytesEqual(r.buf, start, end, names.bytes[i]!)) return names.shapes[i]!
  const shape = spanShape({ name: short(r.utf8(start, end), l), resource, scope })
  // a name cut at the length limit is counted each time: not remembered
  if (names.bytes.length < MAX_NAMES && end - start <= l.a.valueLength) {
    names.bytes.push(new Uint8Array(r.buf.subarray(start, end)))
    names.shapes.push(shape)
  }
  return shape
}

let lastTraceBytes: Uint8Array | undefined
let lastTraceId = ""

function traceIdOf(r: WireReader, start: number, end: number): string {
  if (lastTraceBytes && bytesEqual(r.buf, start, end, lastTraceBytes)) return lastTraceId
  lastTraceBytes = new Uint8Array(r.buf.subarray(start, end))
  return (lastTraceId = r.buf.toString("hex", start, end))
}

function int32At(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!
}

/** Where a span's entries of one repeated field are: from the first tag to the end of the last entry. */
class Run {
  from = -1
  to = -1
  n = 0

  reset(): void {
    this.from = -1
    this.to = -1
    this.n = 0
  }

  /** The reader stands after the entry's tag (one byte: fields 9, 11, 13). */
  add(r: WireReader): void {
    if (this.from < 0) this.from = r.pos - 1
    r.skip(LEN)
    this.to = r.pos
    this.n++
  }
}
const attrs = new Run()
const events = new Run()
const links = new Run()

const F_TRACE_ID = (1 << 3) | LEN
const F_SPAN_ID = (2 << 3) | LEN
const F_TRACE_STATE = (3 << 3) | LEN
const F_PARENT = (4 << 3) | LEN
const F_NAME = (5 << 3) | LEN
const F_KIND = (6 << 3) | VARINT
const F_START = (7 << 3) | I64
const F_END = (8 << 3) | I64
const F_ATTRS = (9 << 3) | LEN
const F_EVENTS = (11 << 3) | LEN
const F_LINKS = (13 << 3) | LEN
const F_STATUS = (15 << 3) | LEN
const F_FLAGS = (16 << 3) | I32

function readSpan(r: WireReader, start: number, end: number, resource: ResourceInfo, scope: Shape["scope"], names: Names, l: Lim, out: SpanIn[]): void {
  let tid = -1
  let tidEnd = -1
  let sid = -1
  let sidEnd = -1
  let par = -1
  let parEnd = -1
  let name = start
  let nameEnd = start
  let kind = 0
  let sLo = 0
  let sHi = 0
  let eLo = 0
  let eHi = 0
  attrs.reset()
  events.reset()
  links.reset()
  let code = 0
  let msg = start
  let msgEnd = start
  r.pos = start
  r.end = end
  while (r.pos < end) {
    const t = r.tag()
    switch (t) {
      case F_TRACE_ID: {
        const n = r.len()
        tid = r.pos
        tidEnd = r.pos += n
        break
      }
      case F_SPAN_ID: {
        const n = r.len()
        sid = r.pos
        sidEnd = r.pos += n
        break
      }
      case F_PARENT: {
        const n = r.len()
        par = r.pos
        parEnd = r.pos += n
        break
      }
      case F_NAME: {
        const n = r.len()
        name = r.pos
        nameEnd = r.pos += n
        break
      }
      case F_KIND:
        kind = r.varint32()
        break
      case F_START:
        r.fixed64()
        sLo = r.lo
        sHi = r.hi
        break
      case F_END:
        r.fixed64()
        eLo = r.lo
        eHi = r.hi
        break
      case F_ATTRS:
        attrs.add(r)
        break
      case F_EVENTS:
        events.add(r)
        break
      case F_LINKS:
        links.add(r)
        break
      case F_STATUS: {
        // Status {message = 2, code = 3}; a repeated status merges into the earlier one
        const n = r.len()
        const sEnd = r.pos + n
        while (r.pos < sEnd) {
          r.end = sEnd
          const st = r.tag()
          if (st === ((2 << 3) | LEN)) {
            const m = r.len()
            msg = r.pos
            msgEnd = r.pos += m
          } else if (st === ((3 << 3) | VARINT)) code = r.varint32()
          else r.other(st, TYPES.status)
        }
        r.end = end
        break
      }
      case F_TRACE_STATE:
      case F_FLAGS:
        r.skip(t & 7)
        break
      default:
        r.other(t, TYPES.span)
    }
  }
  // unusable without ids: counted as received only
  if (tid < 0 || !nonZeroRange(r.buf, tid, tidEnd) || sid < 0 || !nonZeroRange(r.buf, sid, sidEnd)) return
  const hasParent = par >= 0 && nonZeroRange(r.buf, par, parEnd)
  const oddId = sidEnd - sid !== 8
  const oddParent = hasParent && parEnd - par !== 8
  const lim = l.a
  const c = l.c
  const max = lim.valueLength
  const w = writer
  const off = w.pos
  const oddHex = oddId ? r.buf.toString("hex", sid, sidEnd) : undefined
  if (oddHex !== undefined) w.str(oddHex)
  w.fixed64(sLo, sHi)
  const endAfter = eHi > sHi || (eHi === sHi && eLo > sLo)
  w.varint(endAfter ? (eHi - sHi) * 4294967296 + (eLo - sLo) : 0)
  if (oddParent) w.str(r.buf.toString("hex", par, parEnd))
  else if (hasParent) w.copy(r.buf, par, parEnd)
  plainString(w, r, msg, msgEnd, max, c)
  const http = attrs.n > 0 ? kvs(w, r, attrs.from, attrs.to, 9, TYPES.span, attrs.n, lim, c, spanAttrs) : (w.varint(0), undefined)
  w.varint(events.n)
  if (events.n > 0) eachField(r, events.from, events.to, 11, TYPES.span, (s, e) => writeEvent(w, r, s, e, l))
  w.varint(links.n)
  if (links.n > 0) eachField(r, links.from, links.to, 13, TYPES.span, (s, e) => writeLink(w, r, s, e, l))
  const isError = code === 2 || (http !== undefined && http >= 500)
  const eight = !oddId
  const startMs = nanosToMsOf(sLo, sHi)
  out.push({
    traceId: traceIdOf(r, tid, tidEnd),
    hi: eight ? int32At(r.buf, sid) : 0,
    lo: eight ? int32At(r.buf, sid + 4) : 0,
    bits: spanBitsOf(kind, code, isError, hasParent, oddId, oddParent),
    startMs,
    endMs: endAfter ? nanosToMsOf(eLo, eHi) : startMs,
    shape: shapeOf(r, name, nameEnd, resource, scope, names, l),
    off,
    len: w.pos - off,
    ...(oddHex !== undefined ? { oddId: oddHex } : {}),
  })
}

/** Event {time = 1, name = 2, attributes = 3}: name, time, attributes. */
function writeEvent(w: Writer, r: WireReader, start: number, end: number, l: Lim): void {
  let lo = 0
  let hi = 0
  let name = start
  let nameEnd = start
  r.pos = start
  r.end = end
  while (r.pos < end) {
    const t = r.tag()
    if (t === ((1 << 3) | I64)) {
      r.fixed64()
      lo = r.lo
      hi = r.hi
    } else if (t === ((2 << 3) | LEN)) {
      const n = r.len()
      name = r.pos
      nameEnd = r.pos += n
    } else r.other(t, TYPES.event)
  }
  stringValue(w, r, name, nameEnd, l.a.valueLength, l.c)
  w.fixed64(lo, hi)
  kvs(w, r, start, end, 3, TYPES.event, -1, l.a, l.c, otherAttrs)
}

/** Link {trace_id = 1, span_id = 2, trace_state = 3, attributes = 4}. */
function writeLink(w: Writer, r: WireReader, start: number, end: number, l: Lim): void {
  let tid = start
  let tidEnd = start
  let sid = start
  let sidEnd = start
  let ts = start
  let tsEnd = start
  r.pos = start
  r.end = end
  while (r.pos < end) {
    const t = r.tag()
    if ((t & 7) === LEN && t >>> 3 <= 3) {
      const n = r.len()
      const s = r.pos
      r.pos += n
      if (t >>> 3 === 1) [tid, tidEnd] = [s, r.pos]
      else if (t >>> 3 === 2) [sid, sidEnd] = [s, r.pos]
      else [ts, tsEnd] = [s, r.pos]
    } else r.other(t, TYPES.link)
  }
  w.str(r.buf.toString("hex", tid, tidEnd))
  w.str(r.buf.toString("hex", sid, sidEnd))
  plainString(w, r, ts, tsEnd, l.a.valueLength, l.c)
  kvs(w, r, start, end, 4, TYPES.link, -1, l.a, l.c, otherAttrs)
}
