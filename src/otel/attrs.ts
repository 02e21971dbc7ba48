/**
 * Conversions from protobuf-es OTLP values to the plain JSON the API serves: attributes,
 * ids (bytes → lowercase hex), and nanosecond timestamps.
 */
import type { AnyValue, KeyValue } from "./gen/common_pb.ts"
import type { AttrValue, Attributes } from "./model.ts"

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

export function toHex(bytes: Uint8Array): string {
  if (bytes.length > 8) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")
  let s = ""
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]
  return s
}

/** An id is "absent" when empty or all zero (OTLP's invalid id). */
export function idOrUndefined(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return toHex(bytes)
  return undefined
}

export function anyValue(v: AnyValue | undefined): AttrValue {
  if (!v) return null
  const val = v.value
  switch (val.case) {
    case "stringValue":
    case "boolValue":
    case "doubleValue":
      return val.value
    case "intValue":
      // int64 beyond 2^53 would silently lose digits as a number
      return val.value <= 9007199254740991n && val.value >= -9007199254740991n ? Number(val.value) : val.value.toString()
    case "bytesValue":
      return Buffer.from(val.value).toString("base64")
    case "arrayValue":
      return val.value.values.map(anyValue)
    case "kvlistValue":
      return attributes(val.value.values)
    default:
      return null
  }
}

export function attributes(kvs: KeyValue[]): Attributes {
  const out: Attributes = {}
  for (const kv of kvs) out[kv.key] = anyValue(kv.value)
  return out
}

/**
 * Float milliseconds since the epoch. Going through whole microseconds (exact below 2^53)
 * keeps round millisecond times round: Number(ns) / 1e6 can land a hair below them.
 */
export function nanosToMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000
}

export function isoFromMs(ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString()
}

export function serviceOf(resource: Attributes): string {
  const s = resource["service.name"]
  return typeof s === "string" && s !== "" ? s : "unknown_service"
}

/** Stable key for a label set: sorted keys, JSON values. */
export function attributesKey(attrs: Attributes): string {
  const keys = Object.keys(attrs)
  if (keys.length === 0) return ""
  keys.sort()
  let s = ""
  for (const k of keys) s += JSON.stringify(k) + ":" + JSON.stringify(attrs[k]) + ","
  return s
}

/**
 * The OTel SDK's attribute limits (AttributeValueLengthLimit, AttributeCountLimit), applied by
 * the collector too: one exporter sending a 20 MB value must not pin 20 MB for an hour.
 * Truncated strings end in "…" and are counted, as are attributes dropped over the count.
 */
export interface AttrLimits {
  /** characters kept of a string value (bytes of a bytes value) */
  valueLength: number
  /** attributes kept per span, event, link, log record or resource */
  count: number
  /** characters kept of a log body */
  bodyLength: number
}

export interface LimitCounters {
  truncatedValues: number
  droppedAttributes: number
}

export const DEFAULT_ATTR_LIMITS: AttrLimits = { valueLength: 4096, count: 128, bodyLength: 65_536 }

/**
 * A truncated copy that does not share the original's buffer: JSC substrings keep their base
 * string alive, and the base is the whole 20 MB value.
 */
export function truncate(s: string, max: number): string {
  return Buffer.from(s.slice(0, max) + "…", "utf8").toString("utf8")
}

export function limitedValue(v: AnyValue | undefined, max: number, c: LimitCounters): AttrValue {
  if (!v) return null
  const val = v.value
  switch (val.case) {
    case "stringValue":
      if (val.value.length <= max) return val.value
      c.truncatedValues++
      return truncate(val.value, max)
    case "bytesValue":
      if (val.value.byteLength <= max) return Buffer.from(val.value).toString("base64")
      c.truncatedValues++
      return Buffer.from(val.value.subarray(0, max)).toString("base64") + "…"
    case "arrayValue": {
      const vs = val.value.values
      const n = Math.min(vs.length, max)
      if (n < vs.length) c.truncatedValues++
      const out: AttrValue[] = new Array(n)
      for (let i = 0; i < n; i++) out[i] = limitedValue(vs[i], max, c)
      return out
    }
    case "kvlistValue":
      return limitedAttributes(val.value.values, { valueLength: max, count: max, bodyLength: max }, c)
    default:
      return anyValue(v)
  }
}

export function limitedAttributes(kvs: KeyValue[], lim: AttrLimits, c: LimitCounters): Attributes {
  const out: Attributes = {}
  const n = Math.min(kvs.length, lim.count)
  if (n < kvs.length) c.droppedAttributes += kvs.length - n
  for (let i = 0; i < n; i++) {
    const kv = kvs[i]!
    // keys are not subject to the value limit (as in the SDK spec); a pathological one is still cut
    const key = kv.key.length <= 1024 ? kv.key : (c.truncatedValues++, truncate(kv.key, 1024))
    out[key] = limitedValue(kv.value, lim.valueLength, c)
  }
  return out
}

const WIDE = /[^\u0000-\u00ff]/

/** Approximate heap bytes of a plain JSON-like value (strings count 1 byte a character plus a header). */
export function approxBytes(v: unknown): number {
  if (v === null || v === undefined) return 8
  switch (typeof v) {
    case "string":
      // JSC keeps a string in 1 byte a character only while every character is Latin-1
      return 32 + (v.length > 64 && WIDE.test(v) ? 2 * v.length : v.length)
    case "number":
    case "boolean":
      return 8
    case "bigint":
      return 32
    case "object": {
      if (Array.isArray(v)) {
        let n = 32
        for (const x of v) n += 8 + approxBytes(x)
        return n
      }
      let n = 48
      for (const k in v) n += 40 + k.length + approxBytes((v as Record<string, unknown>)[k])
      return n
    }
    default:
      return 8
  }
}
