/**
 * Conversions from protobuf-es OTLP values to the plain JSON the API serves: attributes,
 * ids (bytes → lowercase hex), and nanosecond timestamps.
 */
import type { AnyValue, KeyValue } from "./gen/common_pb.ts"
import type { AttrValue, Attributes } from "../server/api-types.ts"

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

export function toHex(bytes: Uint8Array): string {
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
