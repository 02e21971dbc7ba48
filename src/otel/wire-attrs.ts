/**
 * Attribute lists (KeyValue*, AnyValue) from protobuf wire bytes into the compact form of
 * compact.ts, with the attribute limits applied as Writer.kvs applies them to decoded messages.
 * A per-position cache of the last key's and string value's bytes (SDKs send the same keys in
 * the same order span after span, often with the same values) finds their intern ids without
 * decoding a string in the common case. The reader's pos/end are clobbered by every call.
 */
import { internId, internValue, MAX_INTERNED_LENGTH, MAX_KEY_LENGTH, MAX_REPEATED_LENGTH, TAG, type Writer } from "./compact.ts"
import { bytesEqual, I64, int64, int64Text, LEN, malformed, TYPES, VARINT, type WireReader } from "./wire.ts"
import type { AttrLimits, LimitCounters } from "./attrs.ts"

/** OTLP allows deep nesting; protobuf-es stops at 100 levels too */
const MAX_DEPTH = 100

const POSITIONS = 64

export interface PositionCache {
  keys: (Uint8Array | undefined)[]
  keyIds: number[]
  values: (Uint8Array | undefined)[]
  valueIds: number[]
}

export function positionCache(): PositionCache {
  return { keys: new Array(POSITIONS), keyIds: new Array(POSITIONS).fill(0), values: new Array(POSITIONS), valueIds: new Array(POSITIONS).fill(0) }
}

const HTTP_STATUS_IDS = [internId("http.response.status_code"), internId("http.status_code")]

/** A copy (Buffer#slice would be a view, pinning the whole request body). */
function copyOf(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.subarray(start, end))
}

/** Counts the entries of field `field` (wire type LEN) in [start, end), checking the wire types of known fields. */
export function countField(r: WireReader, start: number, end: number, field: number, types: readonly number[]): number {
  let n = 0
  r.pos = start
  r.end = end
  while (r.pos < end) {
    const t = r.tag()
    if (t === ((field << 3) | LEN)) n++
    r.other(t, types)
  }
  return n
}

/** A string value (UTF-8 in [start, end)), cut at `max` characters, interned when short. */
export function stringValue(w: Writer, r: WireReader, start: number, end: number, max: number, c: LimitCounters): void {
  const n = end - start
  if (n <= max) {
    if (n <= MAX_REPEATED_LENGTH) {
      const id = internValue(r.utf8(start, end))
      if (id >= 0) return w.ref(id)
    }
    return w.strBytes(r.buf, start, end)
  }
  let s = r.utf8(start, end)
  if (s.length > max) {
    c.truncatedValues++
    s = s.slice(0, max) + "…"
  }
  w.maybeRef(s)
}

/** An untagged string (status messages, trace states), cut at `max` characters. */
export function plainString(w: Writer, r: WireReader, start: number, end: number, max: number, c: LimitCounters): void {
  if (end - start <= max) return w.rawBytes(r.buf, start, end)
  let s = r.utf8(start, end)
  if (s.length > max) {
    c.truncatedValues++
    s = s.slice(0, max) + "…"
  }
  w.str(s)
}

/**
 * Writes the KeyValue entries of field `field` in [start, end) of a message whose fields have wire types `types`: their count (the first
 * `lim.count` are kept, the rest counted as dropped), then each key and value. `n` is the
 * number of entries when the caller counted them already, else -1. Returns the list's
 * http.response.status_code (or http.status_code), if it has one.
 */
export function kvs(
  w: Writer,
  r: WireReader,
  start: number,
  end: number,
  field: number,
  types: readonly number[],
  n: number,
  lim: AttrLimits,
  c: LimitCounters,
  cache: PositionCache | undefined,
  depth = 0,
  /** a log record's event_name, written first as the `event.name` attribute (as Writer.kvs does) */
  eventName?: string,
): number | undefined {
  if (depth > MAX_DEPTH) malformed(`values nested deeper than ${MAX_DEPTH} levels`)
  if (n < 0) n = countField(r, start, end, field, types)
  const keep = Math.min(n, lim.count)
  if (keep < n) c.droppedAttributes += n - keep
  w.varint(keep + (eventName !== undefined ? 1 : 0))
  if (eventName !== undefined) {
    w.varint(internId("event.name") + 1)
    w.maybeRef(eventName)
  }
  let http: number | undefined
  const want = (field << 3) | LEN
  for (let i = 0, p = start; i < keep; i++) {
    const s = r.seek(p, end, want, types)
    if (s < 0) break
    p = r.next
    const h = keyValue(w, r, s, p, i, lim, c, i < POSITIONS ? cache : undefined, depth)
    http ??= h
  }
  return http
}

/** One KeyValue in [start, end), at position `i` of its list; returns its value as an HTTP status if the key names one. */
function keyValue(w: Writer, r: WireReader, start: number, end: number, i: number, lim: AttrLimits, c: LimitCounters, cache: PositionCache | undefined, depth: number): number | undefined {
  let ks = start
  let ke = start
  let vs = -1
  let ve = -1
  r.pos = start
  r.end = end
  while (r.pos < end) {
    const t = r.tag()
    if (t === ((1 << 3) | LEN)) {
      const n = r.len()
      ks = r.pos
      ke = r.pos += n
    } else if (t === ((2 << 3) | LEN)) {
      const n = r.len()
      vs = r.pos
      ve = r.pos += n
    } else r.other(t, TYPES.keyValue)
  }
  let id: number
  if (cache && cache.keys[i] !== undefined && bytesEqual(r.buf, ks, ke, cache.keys[i]!)) id = cache.keyIds[i]!
  else {
    let k = r.utf8(ks, ke)
    if (k.length > MAX_KEY_LENGTH) {
      c.truncatedValues++
      k = k.slice(0, MAX_KEY_LENGTH) + "…"
    }
    id = k.length <= MAX_INTERNED_LENGTH ? internId(k) : -1
    if (id < 0) {
      w.varint(0)
      w.str(k)
      anyValue(w, r, vs, ve, lim.valueLength, c, depth)
      return undefined
    }
    if (cache) {
      cache.keys[i] = copyOf(r.buf, ks, ke)
      cache.keyIds[i] = id
      cache.values[i] = undefined
    }
  }
  w.varint(id + 1)
  const http = (id === HTTP_STATUS_IDS[0] || id === HTTP_STATUS_IDS[1]) && vs >= 0 ? numeric(r, vs, ve) : undefined
  if (cache && vs >= 0) {
    // a short string value: compare its bytes with the last value at this position
    const s = stringRange(r, vs, ve)
    if (s >= 0) {
      const se = r.end
      const n = se - s
      if (n <= lim.valueLength && n <= MAX_INTERNED_LENGTH) {
        const last = cache.values[i]
        if (last !== undefined && bytesEqual(r.buf, s, se, last)) {
          w.ref(cache.valueIds[i]!)
          return http
        }
        const vid = internId(r.utf8(s, se))
        if (vid >= 0) {
          cache.values[i] = copyOf(r.buf, s, se)
          cache.valueIds[i] = vid
          w.ref(vid)
          return http
        }
      }
    }
  }
  anyValue(w, r, vs, ve, lim.valueLength, c, depth)
  return http
}

/**
 * Start of the string of an AnyValue in [start, end) that holds one (its end is left in r.end),
 * or -1. The last oneof field wins, as in any protobuf parser.
 */
function stringRange(r: WireReader, start: number, end: number): number {
  let s = -1
  let e = -1
  r.pos = start
  r.end = end
  while (r.pos < end) {
    const t = r.tag()
    const f = t >>> 3
    if (t === ((1 << 3) | LEN)) {
      const n = r.len()
      s = r.pos
      e = r.pos += n
    } else {
      if (f >= 2 && f <= 7) s = -1
      r.other(t, TYPES.anyValue)
    }
  }
  r.end = e
  return s
}

/** The AnyValue as a number (int, double, or a numeric string), for the HTTP status. */
function numeric(r: WireReader, start: number, end: number): number | undefined {
  let out: number | undefined
  r.pos = start
  r.end = end
  while (r.pos < end) {
    const t = r.tag()
    const f = t >>> 3
    if (f === 3 && (t & 7) === VARINT) {
      r.varint64()
      out = int64(r.lo, r.hi) ?? Number(int64Text(r.lo, r.hi))
    } else if (f === 4 && (t & 7) === I64) out = r.double()
    else if (f === 1 && (t & 7) === LEN) {
      const n = r.len()
      out = Number(r.utf8(r.pos, r.pos + n))
      r.pos += n
    } else {
      if (f >= 1 && f <= 7) out = undefined
      r.other(t, TYPES.anyValue)
    }
  }
  return out !== undefined && Number.isFinite(out) ? out : undefined
}

/** An AnyValue in [start, end) (start < 0: absent), cut at `max` like Writer.anyValue. */
export function anyValue(w: Writer, r: WireReader, start: number, end: number, max: number, c: LimitCounters, depth: number): void {
  if (depth > MAX_DEPTH) malformed(`values nested deeper than ${MAX_DEPTH} levels`)
  let kind = 0
  let vs = 0
  let ve = 0
  let lo = 0
  let hi = 0
  let d = 0
  if (start >= 0) {
    r.pos = start
    r.end = end
    while (r.pos < end) {
      const t = r.tag()
      const f = t >>> 3
      const wt = t & 7
      if (f < 1 || f > 7) {
        r.skip(wt)
        continue
      }
      kind = f
      if (f === 2 || f === 3) {
        r.expect(wt, VARINT, "AnyValue")
        r.varint64()
        lo = r.lo
        hi = r.hi
      } else if (f === 4) {
        r.expect(wt, I64, "AnyValue.double_value")
        d = r.double()
      } else {
        r.expect(wt, LEN, "AnyValue")
        const n = r.len()
        vs = r.pos
        ve = r.pos += n
      }
    }
  }
  switch (kind) {
    case 1:
      return stringValue(w, r, vs, ve, max, c)
    case 2:
      return w.byte(lo !== 0 || hi !== 0 ? TAG.TRUE : TAG.FALSE)
    case 3: {
      const n = int64(lo, hi)
      return n !== undefined ? w.value(n) : w.maybeRef(int64Text(lo, hi))
    }
    case 4:
      return w.value(d)
    case 5: {
      const count = countField(r, vs, ve, 1, TYPES.list)
      const n = Math.min(count, max)
      if (n < count) c.truncatedValues++
      w.byte(TAG.ARR)
      w.varint(n)
      for (let i = 0, p = vs; i < n; i++) {
        const s = r.seek(p, ve, (1 << 3) | LEN, TYPES.list)
        if (s < 0) break
        p = r.next
        anyValue(w, r, s, p, max, c, depth + 1)
      }
      return
    }
    case 6:
      w.byte(TAG.MAP)
      kvs(w, r, vs, ve, 1, TYPES.list, -1, { valueLength: max, count: max, bodyLength: max }, c, undefined, depth + 1)
      return
    case 7: {
      const n = ve - vs
      if (n > max) c.truncatedValues++
      return w.maybeRef(r.buf.toString("base64", vs, vs + Math.min(n, max)) + (n > max ? "…" : ""))
    }
    default:
      w.byte(TAG.NULL)
  }
}
