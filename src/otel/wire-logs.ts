/**
 * OTLP log exports from protobuf wire bytes straight into the store's compact form, as
 * wire-spans.ts does for spans. Per record: one pass over its fields for what the store keeps
 * inline (times, severity, trace id) and where its body and attributes are, then its encoded part
 * (the layout of store-logs.ts's encodeLog) written from those ranges. The same limits apply as
 * on the protobuf-es path, including a record's event_name as its `event.name` attribute.
 */
import { nanosToMsOf, TYPES, VARINT, I64, LEN, bytesEqual, type WireReader } from "./wire.ts"
import { anyValue, kvs, positionCache, stringValue } from "./wire-attrs.ts"
import { bodyParts, parseThenStore, Run, sliceParts, type Parts, type ScopeContext } from "./wire-request.ts"
import { nonZeroRange } from "./compact-span.ts"
import { levelOf, type LogIn } from "./store-logs.ts"
import type { TelemetryStore } from "./store.ts"

const logAttrs = positionCache()
const SHAPES = { resource: TYPES.resourceLogs, scope: TYPES.scopeLogs }

/** An ExportLogsServiceRequest's bytes (OTLP/HTTP protobuf). Returns the records stored. */
export function ingestLogBytes(store: TelemetryStore, body: Uint8Array): number {
  return ingest(store, bodyParts(body))
}

/** The ResourceLogs of an export, each as its bytes (OTLP/gRPC; see receiver-grpc.ts). */
export function ingestResourceLogs(store: TelemetryStore, items: Uint8Array[]): number {
  return ingest(store, sliceParts(items))
}

interface LogScope extends ScopeContext {
  /** the store's clock in ns, as 32-bit halves: the observed time of a record that has none */
  nowLo: number
  nowHi: number
}

function withNow(base: ScopeContext): LogScope {
  const ns = BigInt(base.now) * 1_000_000n
  return { ...base, nowLo: Number(ns & 0xffffffffn), nowHi: Number(ns >> 32n) }
}

function ingest(store: TelemetryStore, parts: Parts): number {
  return parseThenStore<LogIn, LogScope>(store, parts, SHAPES, withNow, readLog, (logs, w) => store.addLogIns(logs, w))
}

const F_TIME = (1 << 3) | I64
const F_SEVERITY = (2 << 3) | VARINT
const F_SEVERITY_TEXT = (3 << 3) | LEN
const F_BODY = (5 << 3) | LEN
const F_ATTRS = (6 << 3) | LEN
const F_TRACE_ID = (9 << 3) | LEN
const F_SPAN_ID = (10 << 3) | LEN
const F_OBSERVED = (11 << 3) | I64
const F_EVENT_NAME = (12 << 3) | LEN

const attrs = new Run()
const EVENT_NAME = new TextEncoder().encode("event.name")

let lastSeverityBytes: Uint8Array | undefined
let lastSeverity = ""

/** The severity text (one of a few per SDK: decoded once per change). */
function severityText(r: WireReader, start: number, end: number): string {
  if (lastSeverityBytes && bytesEqual(r.buf, start, end, lastSeverityBytes)) return lastSeverity
  lastSeverityBytes = new Uint8Array(r.buf.subarray(start, end))
  return (lastSeverity = r.utf8(start, end))
}

function readLog(r: WireReader, start: number, end: number, ctx: LogScope, out: LogIn[]): void {
  let tLo = 0
  let tHi = 0
  let oLo = 0
  let oHi = 0
  let severity = 0
  let sev = start
  let sevEnd = start
  let body = -1
  let bodyEnd = -1
  let tid = -1
  let tidEnd = -1
  let sid = -1
  let sidEnd = -1
  let ev = -1
  let evEnd = -1
  attrs.reset()
  r.pos = start
  r.end = end
  while (r.pos < end) {
    const t = r.tag()
    switch (t) {
      case F_TIME:
        r.fixed64()
        tLo = r.lo
        tHi = r.hi
        break
      case F_OBSERVED:
        r.fixed64()
        oLo = r.lo
        oHi = r.hi
        break
      case F_SEVERITY:
        severity = r.varint32() | 0
        break
      case F_SEVERITY_TEXT:
      case F_BODY:
      case F_TRACE_ID:
      case F_SPAN_ID:
      case F_EVENT_NAME: {
        const n = r.len()
        const s = r.pos
        r.pos += n
        if (t === F_SEVERITY_TEXT) {
          sev = s
          sevEnd = r.pos
        } else if (t === F_BODY) {
          body = s
          bodyEnd = r.pos
        } else if (t === F_TRACE_ID) {
          tid = s
          tidEnd = r.pos
        } else if (t === F_SPAN_ID) {
          sid = s
          sidEnd = r.pos
        } else {
          ev = s
          evEnd = r.pos
        }
        break
      }
      case F_ATTRS:
        attrs.add(r)
        break
      default:
        r.other(t, TYPES.logRecord)
    }
  }
  const { l, w } = ctx
  const lim = l.a
  const c = l.c
  // observed: as sent, else now; time: as sent, else observed (as ingestLogs does)
  if (oLo === 0 && oHi === 0) {
    oLo = ctx.nowLo
    oHi = ctx.nowHi
  }
  if (tLo === 0 && tHi === 0) {
    tLo = oLo
    tHi = oHi
  }
  const off = w.pos
  w.fixed64(tLo, tHi)
  w.f64(nanosToMsOf(oLo, oHi))
  stringValue(w, r, sev, sevEnd, lim.valueLength, c)
  w.varint(severity >>> 0)
  anyValue(w, r, body, bodyEnd, lim.bodyLength, c, 0)
  // event_name becomes the `event.name` attribute unless the record has one
  const eventName = ev >= 0 && evEnd > ev && !hasEventNameAttr(r) ? r.utf8(ev, evEnd).slice(0, lim.valueLength) : undefined
  if (attrs.n > 0 || eventName !== undefined) kvs(w, r, attrs.from, attrs.to, 6, TYPES.logRecord, attrs.n, lim, c, logAttrs, 0, eventName)
  else w.varint(0)
  const span = sid >= 0 && sidEnd - sid < 256 && nonZeroRange(r.buf, sid, sidEnd)
  w.byte(span ? sidEnd - sid : 0)
  if (span) w.copy(r.buf, sid, sidEnd)
  out.push({
    timeMs: nanosToMsOf(tLo, tHi),
    receivedAt: ctx.now,
    service: ctx.resource.service,
    traceId: tid >= 0 && nonZeroRange(r.buf, tid, tidEnd) ? r.buf.toString("hex", tid, tidEnd) : undefined,
    level: levelOf(severity, severityText(r, sev, sevEnd)),
    scope: ctx.scope,
    resource: ctx.resource.attributes,
    off,
    len: w.pos - off,
  })
}

/** Whether one of the record's attributes (the run in `attrs`) is keyed `event.name`. */
function hasEventNameAttr(r: WireReader): boolean {
  if (attrs.n === 0) return false
  for (let p = attrs.from; ; ) {
    const s = r.seek(p, attrs.to, F_ATTRS, TYPES.logRecord)
    if (s < 0) return false
    p = r.next
    // KeyValue {key = 1}; a repeated key: the last one counts
    let isEventName = false
    r.pos = s
    r.end = p
    while (r.pos < p) {
      const t = r.tag()
      if (t === ((1 << 3) | LEN)) {
        const n = r.len()
        isEventName = bytesEqual(r.buf, r.pos, r.pos + n, EVENT_NAME)
        r.pos += n
      } else r.other(t, TYPES.keyValue)
    }
    if (isEventName) return true
  }
}
