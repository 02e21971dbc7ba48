/**
 * OTLP trace exports from protobuf wire bytes straight into the store's compact form, without
 * protobuf-es objects per span (decoding those cost more than everything else ingest does).
 * Per span: one pass over its top-level fields for what the store keeps inline (ids, name,
 * times, status, where the attributes, events and links are), then its encoded part written
 * into the batch's buffer from those ranges. The request's structure around the spans, and
 * parse-all-then-store, are wire-request.ts's.
 */
import { nonZeroRange, spanBitsOf, spanShape, type Shape, type SpanIn } from "./compact-span.ts"
import type { Writer } from "./compact.ts"
import { short, type Lim } from "./ingest.ts"
import { bodyParts, eachField, parseThenStore, Run, sliceParts, type Parts, type ScopeContext } from "./wire-request.ts"
import { kvs, plainString, positionCache, stringValue } from "./wire-attrs.ts"
import { bytesEqual, I32, I64, LEN, nanosToMsOf, TYPES, VARINT, type WireReader } from "./wire.ts"
import type { ResourceInfo } from "./store-traces.ts"
import type { TelemetryStore } from "./store.ts"

const spanAttrs = positionCache()
const otherAttrs = positionCache()
const SHAPES = { resource: TYPES.resourceSpans, scope: TYPES.scopeSpans }

/** An ExportTraceServiceRequest's bytes (OTLP/HTTP protobuf). Returns the spans stored. */
export function ingestTraceBytes(store: TelemetryStore, body: Uint8Array): number {
  return ingest(store, bodyParts(body))
}

/** The ResourceSpans of an export, each as its bytes (OTLP/gRPC; see receiver-grpc.ts). */
export function ingestResourceSpans(store: TelemetryStore, items: Uint8Array[]): number {
  return ingest(store, sliceParts(items))
}

interface SpanScope extends ScopeContext {
  names: Names
}

function ingest(store: TelemetryStore, parts: Parts): number {
  return parseThenStore<SpanIn, SpanScope>(store, parts, SHAPES, (base) => ({ ...base, names: { bytes: [], shapes: [] } }), readSpan, (spans, w) => store.addSpanIns(spans, w))
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

function readSpan(r: WireReader, start: number, end: number, ctx: SpanScope, out: SpanIn[]): void {
  const { resource, scope, names, l, w } = ctx
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
      case F_TRACE_ID:
      case F_SPAN_ID:
      case F_PARENT:
      case F_NAME: {
        const n = r.len()
        const s = r.pos
        r.pos += n
        if (t === F_TRACE_ID) {
          tid = s
          tidEnd = r.pos
        } else if (t === F_SPAN_ID) {
          sid = s
          sidEnd = r.pos
        } else if (t === F_PARENT) {
          par = s
          parEnd = r.pos
        } else {
          name = s
          nameEnd = r.pos
        }
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
      if (t >>> 3 === 1) {
        tid = s
        tidEnd = r.pos
      } else if (t >>> 3 === 2) {
        sid = s
        sidEnd = r.pos
      } else {
        ts = s
        tsEnd = r.pos
      }
    } else r.other(t, TYPES.link)
  }
  w.str(r.buf.toString("hex", tid, tidEnd))
  w.str(r.buf.toString("hex", sid, sidEnd))
  plainString(w, r, ts, tsEnd, l.a.valueLength, l.c)
  kvs(w, r, start, end, 4, TYPES.link, -1, l.a, l.c, otherAttrs)
}
