/**
 * The compact binary form of what the store keeps per span and log record, and the string
 * intern table it refers to. A batch of items is written into one buffer; each item keeps
 * (buffer, offset, length) and is decoded only when a query needs its attributes, events or
 * body. Layout of values:
 *
 *   value   := tag byte, then: STR varint-len utf8 | REF varint-intern-id | NUM float64 |
 *              INT zigzag varint (safe integers) |
 *              TRUE | FALSE | NULL | ARR varint-n value* | MAP attrs
 *   attrs   := varint-n (key value)*      key := varint (intern id + 1) | 0 varint-len utf8
 *
 * Interned strings (attribute keys, short common values, span and event names) live in one
 * table shared by the process. It is bounded: past MAX_INTERNED entries, new strings are
 * written inline, so high-cardinality values cannot grow it without limit.
 */
import type { AttrValue, Attributes } from "./model.ts"
import type { AnyValue, KeyValue } from "./gen/common_pb.ts"
import type { AttrLimits, LimitCounters } from "./attrs.ts"

const STR = 1
const REF = 2
const NUM = 3
const TRUE = 4
const FALSE = 5
const NULL = 6
const ARR = 7
const MAP = 8
const INT = 9

/** The value tags, for writers outside this module (wire-attrs.ts). */
export const TAG = { STR, REF, NUM, TRUE, FALSE, NULL, ARR, MAP, INT } as const

const MAX_INTERNED = 50_000
/** values longer than this are never interned (ids, messages, payloads) */
export const MAX_INTERNED_LENGTH = 48

/** attribute keys are not subject to the value length limit (the SDK spec's), but are cut here */
export const MAX_KEY_LENGTH = 1024

const internIds = new Map<string, number>()
const interned: string[] = []

/** Bytes held by the intern table (reported with the store's memory). */
export let internBytes = 0

/** The intern id of `s`, adding it while the table has room; -1 when it is full. */
export function internId(s: string): number {
  let id = internIds.get(s)
  if (id === undefined) {
    if (interned.length >= MAX_INTERNED) return -1
    id = interned.length
    interned.push(s)
    internIds.set(s, id)
    internBytes += 64 + s.length
  }
  return id
}

/**
 * Longer strings (parametrised SQL, user agents, messages with no variable part) are interned
 * once seen twice within the last SEEN_WINDOW such strings: high-cardinality values (ids,
 * URLs with ids) then never take room in the table, and the window itself stays small.
 */
export const MAX_REPEATED_LENGTH = 256
const SEEN_WINDOW = 4096
const seenOnce = new Set<string>()

export function internRepeated(s: string): number {
  const id = internIds.get(s)
  if (id !== undefined) return id
  if (seenOnce.delete(s)) return internId(s)
  if (seenOnce.size >= SEEN_WINDOW) seenOnce.clear()
  seenOnce.add(s)
  return -1
}

/** The intern id of a string value of any length, or -1 (see internRepeated). */
export function internValue(s: string): number {
  return s.length <= MAX_INTERNED_LENGTH ? internId(s) : s.length <= MAX_REPEATED_LENGTH ? internRepeated(s) : -1
}

/** One shared copy of a short, repeated string (service, span name, scope). */
export function intern(s: string): string {
  if (s.length > MAX_INTERNED_LENGTH) return s
  const id = internId(s)
  return id < 0 ? s : interned[id]!
}

const enc = new TextEncoder()

/** positions of the attribute list that the per-position cache of Writer.kvs covers */
const POSITIONS = 64
const posCache = {
  keys: new Array<string | undefined>(POSITIONS),
  keyIds: new Array<number>(POSITIONS).fill(0),
  values: new Array<string | undefined>(POSITIONS),
  valueIds: new Array<number>(POSITIONS).fill(0),
}

/**
 * Bytes the allocator really hands out for a buffer of `n` bytes. Large allocations come in
 * size classes a quarter of a power of two apart, so a 1 MiB + 50 B batch takes 1.25 MiB; the
 * byte budget counts that, or a store of large records would overshoot it by up to 25 %.
 */
export function allocatedSize(n: number): number {
  if (n < 64 * 1024) return n
  const step = 2 ** Math.floor(Math.log2(n)) / 4
  return Math.ceil(n / step) * step
}

export class Writer {
  buf = new Uint8Array(4096)
  pos = 0
  private view = new DataView(this.buf.buffer)

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.byteLength) return
    let size = this.buf.byteLength * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  byte(b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
  }

  /** Unsigned integers up to 2^53. */
  varint(n: number): void {
    this.ensure(8)
    while (n > 0x7f) {
      this.buf[this.pos++] = (n % 128) | 0x80
      n = Math.floor(n / 128)
    }
    this.buf[this.pos++] = n
  }

  f64(n: number): void {
    this.ensure(8)
    this.view.setFloat64(this.pos, n, true)
    this.pos += 8
  }

  i64(n: bigint): void {
    this.ensure(8)
    this.view.setBigInt64(this.pos, BigInt.asIntN(64, n), true)
    this.pos += 8
  }

  /** An unsigned 64-bit number given as 32-bit halves (the same bytes as i64 of it). */
  fixed64(lo: number, hi: number): void {
    this.ensure(8)
    this.view.setUint32(this.pos, lo, true)
    this.view.setUint32(this.pos + 4, hi, true)
    this.pos += 8
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.byteLength)
    this.buf.set(b, this.pos)
    this.pos += b.byteLength
  }

  str(s: string): void {
    const n = s.length
    // ASCII fast path (most attribute values); anything else goes through the UTF-8 encoder
    if (n < 128) {
      this.ensure(n + 1)
      const start = this.pos
      this.buf[this.pos++] = n
      let i = 0
      for (; i < n; i++) {
        const c = s.charCodeAt(i)
        if (c > 0x7f) break
        this.buf[this.pos++] = c
      }
      if (i === n) return
      this.pos = start
    }
    this.ensure(n * 3 + 5)
    const lenPos = this.pos
    this.pos += 5 // room for the longest varint; filled in below
    const { written } = enc.encodeInto(s, this.buf.subarray(this.pos))
    let w = written
    let p = lenPos
    for (let k = 0; k < 4; k++) {
      this.buf[p++] = (w & 0x7f) | 0x80
      w >>>= 7
    }
    this.buf[p] = w
    this.pos += written
  }

  /** A string value given as UTF-8 bytes (not interned): tag, length, the bytes as they are. */
  strBytes(src: Uint8Array, start: number, end: number): void {
    this.byte(STR)
    this.rawBytes(src, start, end)
  }

  /** Length-prefixed bytes (the untagged form of str()). */
  rawBytes(src: Uint8Array, start: number, end: number): void {
    this.varint(end - start)
    this.copy(src, start, end)
  }

  /** The bytes of src in [start, end), as they are. */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start
    this.ensure(n)
    if (n < 32) for (let i = start; i < end; i++) this.buf[this.pos++] = src[i]!
    else {
      this.buf.set(src.subarray(start, end), this.pos)
      this.pos += n
    }
  }

  /** A value that is the interned string `id`. */
  ref(id: number): void {
    this.byte(REF)
    this.varint(id)
  }

  /** A string that may be interned (short and repeated). */
  maybeRef(s: string): void {
    const id = internValue(s)
    if (id >= 0) {
      this.byte(REF)
      this.varint(id)
    } else {
      this.byte(STR)
      this.str(s)
    }
  }

  value(v: AttrValue): void {
    if (typeof v === "string") this.maybeRef(v)
    else if (typeof v === "number") {
      if (Number.isSafeInteger(v)) {
        this.byte(INT)
        this.varint(v < 0 ? -2 * v - 1 : 2 * v)
      } else {
        this.byte(NUM)
        this.f64(v)
      }
    } else if (typeof v === "boolean") this.byte(v ? TRUE : FALSE)
    else if (v === null || v === undefined) this.byte(NULL)
    else if (Array.isArray(v)) {
      this.byte(ARR)
      this.varint(v.length)
      for (const x of v) this.value(x)
    } else {
      this.byte(MAP)
      this.attrs(v)
    }
  }

  attrs(a: Attributes): void {
    const keys = Object.keys(a)
    this.varint(keys.length)
    for (const k of keys) {
      const id = k.length <= MAX_INTERNED_LENGTH ? internId(k) : -1
      if (id >= 0) this.varint(id + 1)
      else {
        this.varint(0)
        this.str(k)
      }
      this.value(a[k]!)
    }
  }

  /** A protobuf value, written directly (no intermediate JS object), cut at `max` like limitedValue. */
  anyValue(v: AnyValue | undefined, max: number, c: LimitCounters): void {
    const val = v?.value
    switch (val?.case) {
      case "stringValue": {
        let s = val.value
        if (s.length > max) {
          c.truncatedValues++
          s = s.slice(0, max) + "…"
        }
        this.maybeRef(s)
        return
      }
      case "boolValue":
        this.byte(val.value ? TRUE : FALSE)
        return
      case "doubleValue":
        this.value(val.value)
        return
      case "intValue": {
        const n = val.value
        // int64 beyond 2^53 would lose digits as a number: kept as its decimal string
        if (n <= 9007199254740991n && n >= -9007199254740991n) this.value(Number(n))
        else this.maybeRef(n.toString())
        return
      }
      case "bytesValue": {
        const b = val.value
        if (b.byteLength > max) c.truncatedValues++
        this.maybeRef(Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, max)).toString("base64") + (b.byteLength > max ? "…" : ""))
        return
      }
      case "arrayValue": {
        const vs = val.value.values
        const n = Math.min(vs.length, max)
        if (n < vs.length) c.truncatedValues++
        this.byte(ARR)
        this.varint(n)
        for (let i = 0; i < n; i++) this.anyValue(vs[i], max, c)
        return
      }
      case "kvlistValue":
        this.byte(MAP)
        this.kvs(val.value.values, { valueLength: max, count: max, bodyLength: max }, c)
        return
      default:
        this.byte(NULL)
    }
  }

  /**
   * Protobuf attributes, written directly with the count and value length limits applied.
   * SDKs send the same keys in the same order span after span, often with the same values:
   * a per-position cache of the last key and string value and their intern ids skips the
   * table lookup (hashing a freshly decoded string) in the common case.
   */
  kvs(kvs: KeyValue[], lim: AttrLimits, c: LimitCounters, eventName?: string): void {
    const n = Math.min(kvs.length, lim.count)
    if (n < kvs.length) c.droppedAttributes += kvs.length - n
    this.varint(n + (eventName !== undefined ? 1 : 0))
    if (eventName !== undefined) {
      this.varint(internId("event.name") + 1)
      this.maybeRef(eventName)
    }
    const cache = n <= POSITIONS ? posCache : undefined
    for (let i = 0; i < n; i++) {
      const kv = kvs[i]!
      const key = kv.key
      let id: number
      if (cache && cache.keys[i] === key) id = cache.keyIds[i]!
      else {
        const k = key.length <= MAX_KEY_LENGTH ? key : (c.truncatedValues++, key.slice(0, MAX_KEY_LENGTH) + "…")
        id = k.length <= MAX_INTERNED_LENGTH ? internId(k) : -1
        if (id < 0) {
          this.varint(0)
          this.str(k)
          this.anyValue(kv.value, lim.valueLength, c)
          continue
        }
        if (cache) {
          cache.keys[i] = key
          cache.keyIds[i] = id
          cache.values[i] = undefined
        }
      }
      this.varint(id + 1)
      const v = kv.value?.value
      if (cache && v?.case === "stringValue" && v.value.length <= lim.valueLength) {
        if (cache.values[i] === v.value) {
          this.byte(REF)
          this.varint(cache.valueIds[i]!)
          continue
        }
        const s = v.value
        const vid = s.length <= MAX_INTERNED_LENGTH ? internId(s) : -1
        if (vid >= 0) {
          cache.values[i] = s
          cache.valueIds[i] = vid
          this.byte(REF)
          this.varint(vid)
          continue
        }
      }
      this.anyValue(kv.value, lim.valueLength, c)
    }
  }

  /** The bytes written so far, copied into a buffer of exactly that size; the writer is reset. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos)
    out.set(this.buf.subarray(0, this.pos))
    this.pos = 0
    if (this.buf.byteLength > 1 << 20) {
      this.buf = new Uint8Array(4096)
      this.view = new DataView(this.buf.buffer)
    }
    return out
  }
}

export class Reader {
  private view: DataView
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  byte(): number {
    return this.buf[this.pos++]!
  }

  varint(): number {
    let n = 0
    let shift = 0
    for (;;) {
      const b = this.buf[this.pos++]!
      n += (b & 0x7f) * 2 ** shift
      if (b < 0x80) return n
      shift += 7
    }
  }

  f64(): number {
    const n = this.view.getFloat64(this.pos, true)
    this.pos += 8
    return n
  }

  i64(): bigint {
    const n = this.view.getBigInt64(this.pos, true)
    this.pos += 8
    return n
  }

  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return b
  }

  str(): string {
    const n = this.varint()
    const s = this.buf.toString("utf8", this.pos, this.pos + n)
    this.pos += n
    return s
  }

  value(): AttrValue {
    switch (this.byte()) {
      case STR:
        return this.str()
      case REF:
        return interned[this.varint()]!
      case NUM:
        return this.f64()
      case INT: {
        const z = this.varint()
        return z % 2 === 1 ? -(z + 1) / 2 : z / 2
      }
      case TRUE:
        return true
      case FALSE:
        return false
      case ARR: {
        const n = this.varint()
        const out: AttrValue[] = new Array(n)
        for (let i = 0; i < n; i++) out[i] = this.value()
        return out
      }
      case MAP:
        return this.attrs()
      default:
        return null
    }
  }

  attrs(): Attributes {
    const n = this.varint()
    const out: Attributes = {}
    for (let i = 0; i < n; i++) {
      const id = this.varint()
      const k = id > 0 ? interned[id - 1]! : this.str()
      out[k] = this.value()
    }
    return out
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/** Lowercase hex of an unsigned 32-bit number, 8 digits. */
export function hex32(n: number): string {
  return HEX[(n >>> 24) & 0xff]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!
}

/** A 16-digit hex id as two signed 32-bit halves (stored inline in an object, no string). */
export function idHalves(hex: string): [number, number] | undefined {
  if (hex.length !== 16) return undefined
  const hi = parseInt(hex.slice(0, 8), 16)
  const lo = parseInt(hex.slice(8), 16)
  if (Number.isNaN(hi) || Number.isNaN(lo)) return undefined
  return [hi | 0, lo | 0]
}
