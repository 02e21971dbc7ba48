/**
 * A minimal protobuf wire-format reader for the receivers' hot path: spans go from the request
 * bytes straight into the store's compact form, without building protobuf-es objects first.
 * Every read is bounds-checked against the end of the message being read; malformed input
 * throws an OtlpError("invalid"), which the receivers answer with 400 / INVALID_ARGUMENT.
 */
import { OtlpError } from "./decode.ts"

export const VARINT = 0
export const I64 = 1
export const LEN = 2
export const I32 = 5

export function malformed(what: string): never {
  throw new OtlpError("invalid", `malformed protobuf: ${what}`)
}

export class WireReader {
  pos: number
  /** the 64-bit value of the last varint64()/fixed64(), as two unsigned 32-bit halves */
  lo = 0
  hi = 0

  constructor(
    readonly buf: Buffer,
    pos: number,
    public end: number,
  ) {
    this.pos = pos
  }

  /** A reader over the whole of `bytes` (no copy). */
  static of(bytes: Uint8Array): WireReader {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    return new WireReader(buf, 0, buf.byteLength)
  }

  /** The next field's tag (field number << 3 | wire type). */
  tag(): number {
    const t = this.varint32()
    if (t >>> 3 === 0) malformed(`field number 0 at byte ${this.pos}`)
    return t
  }

  /** A varint's low 32 bits, unsigned (enums, lengths, counts); up to 10 bytes are consumed. */
  varint32(): number {
    const buf = this.buf
    let pos = this.pos
    let b = buf[pos++]!
    let n = b & 0x7f
    if (b < 0x80 && pos <= this.end) {
      this.pos = pos
      return n
    }
    for (let shift = 7; ; shift += 7) {
      if (pos >= this.end) malformed("truncated varint")
      b = buf[pos++]!
      if (shift < 32) n |= (b & 0x7f) << shift
      if (b < 0x80) break
      if (shift >= 63) malformed("varint longer than 10 bytes")
    }
    this.pos = pos
    return n >>> 0
  }

  /** A 64-bit varint into lo/hi. */
  varint64(): void {
    let lo = 0
    let hi = 0
    const buf = this.buf
    let pos = this.pos
    for (let shift = 0; ; shift += 7) {
      if (pos >= this.end) malformed("truncated varint")
      const b = buf[pos++]!
      if (shift < 28) lo |= (b & 0x7f) << shift
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28
        hi |= (b & 0x7f) >> 4
      } else if (shift < 64) hi |= (b & 0x7f) << (shift - 32)
      if (b < 0x80) break
      if (shift >= 63) malformed("varint longer than 10 bytes")
    }
    this.pos = pos
    this.lo = lo >>> 0
    this.hi = hi >>> 0
  }

  /** 8 little-endian bytes into lo/hi. */
  fixed64(): void {
    const p = this.pos
    if (p + 8 > this.end) malformed("truncated fixed64")
    const b = this.buf
    this.lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0
    this.hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0
    this.pos = p + 8
  }

  double(): number {
    if (this.pos + 8 > this.end) malformed("truncated double")
    const n = this.buf.readDoubleLE(this.pos)
    this.pos += 8
    return n
  }

  /** A length prefix, checked against the end; the reader then stands at the payload. */
  len(): number {
    const n = this.varint32()
    if (n > this.end - this.pos) malformed(`length ${n} past the end of the message`)
    return n
  }

  /** Skips a field's value of wire type `wt`. */
  skip(wt: number): void {
    switch (wt) {
      case VARINT:
        this.varint64()
        return
      case I64:
        if (this.pos + 8 > this.end) malformed("truncated fixed64")
        this.pos += 8
        return
      case LEN:
        {
          const n = this.len()
          this.pos += n
        }
        return
      case I32:
        if (this.pos + 4 > this.end) malformed("truncated fixed32")
        this.pos += 4
        return
      default:
        // groups (3, 4) are proto2-only and not in OTLP
        malformed(`unsupported wire type ${wt}`)
    }
  }

  /**
   * Skips a field the caller does not read; `types[n]` is the wire type of field n of the
   * message (-1 or absent: unknown field). A known field with another wire type is malformed.
   */
  other(t: number, types: readonly number[]): void {
    const f = t >>> 3
    const want = f < types.length ? types[f]! : -1
    if (want >= 0 && want !== (t & 7)) malformed(`field ${f} has wire type ${t & 7}, expected ${want}`)
    this.skip(t & 7)
  }

  /** Where the payload found by the last seek() ends: the next seek goes on from there. */
  next = 0

  /**
   * From `p`, the next payload of tag `want` (a LEN field) before `end`: its start, with its end
   * in `next`, or -1 when there is none. Other fields are skipped, checked against `types`.
   */
  seek(p: number, end: number, want: number, types: readonly number[]): number {
    this.pos = p
    this.end = end
    while (this.pos < end) {
      const t = this.tag()
      if (t === want) {
        const n = this.len()
        this.next = this.pos + n
        return this.pos
      }
      this.other(t, types)
    }
    return -1
  }

  /** Asserts the wire type of a known field. */
  expect(wt: number, want: number, field: string): void {
    if (wt !== want) malformed(`${field} has wire type ${wt}, expected ${want}`)
  }

  utf8(start: number, end: number): string {
    return this.buf.toString("utf8", start, end)
  }
}

/** int64 of lo/hi as a number when it is exactly one, else undefined (the caller keeps its digits). */
export function int64(lo: number, hi: number): number | undefined {
  if (hi & 0x80000000) {
    const nlo = (~lo + 1) >>> 0
    const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0
    return nhi <= 0x1fffff ? -(nhi * 4294967296 + nlo) : undefined
  }
  return hi <= 0x1fffff ? hi * 4294967296 + lo : undefined
}

/** The decimal digits of a signed 64-bit lo/hi. */
export function int64Text(lo: number, hi: number): string {
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString()
}

/**
 * Unix nanoseconds (lo/hi) as float milliseconds, exactly as nanosToMs does with a bigint:
 * whole microseconds, then / 1000. ns = 1000 · hi · 4294967 + (hi · 296 + lo).
 */
export function nanosToMsOf(lo: number, hi: number): number {
  if (hi > 0x7fffff00) return Number(((BigInt(hi) << 32n) | BigInt(lo)) / 1000n) / 1000
  return (hi * 4294967 + Math.floor((hi * 296 + lo) / 1000)) / 1000
}

export function bytesEqual(buf: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  const n = end - start
  if (other.length !== n) return false
  for (let i = 0; i < n; i++) if (buf[start + i] !== other[i]) return false
  return true
}

/** Wire types of the OTLP trace and log messages' fields (index: field number), for WireReader.other. */
export const TYPES = {
  export: [-1, LEN],
  resourceSpans: [-1, LEN, LEN, LEN],
  scopeSpans: [-1, LEN, LEN, LEN],
  span: [-1, LEN, LEN, LEN, LEN, LEN, VARINT, I64, I64, LEN, VARINT, LEN, VARINT, LEN, VARINT, LEN, I32],
  resourceLogs: [-1, LEN, LEN, LEN],
  scopeLogs: [-1, LEN, LEN, LEN],
  logRecord: [-1, I64, VARINT, LEN, -1, LEN, LEN, VARINT, I32, LEN, LEN, I64, LEN],
  status: [-1, -1, LEN, VARINT],
  event: [-1, I64, LEN, LEN, VARINT],
  link: [-1, LEN, LEN, LEN, LEN, VARINT, I32],
  keyValue: [-1, LEN, LEN],
  anyValue: [-1, LEN, VARINT, VARINT, I64, LEN, LEN, LEN],
  list: [-1, LEN],
} as const
