/**
 * Turning an untrusted OTLP/HTTP body into a protobuf-es message: capped reads, capped
 * decompression (a gzip bomb stops at the cap, it is never inflated fully), protobuf or
 * OTLP/JSON. Every failure is an OtlpError the receiver maps to 400/413/415.
 */
import { gunzip, inflate } from "node:zlib"
import { promisify } from "node:util"
import { fromBinary, fromJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf"

const gunzipAsync = promisify(gunzip)
const inflateAsync = promisify(inflate)

export const HTTP_MAX_BYTES = 20 * 1024 * 1024
export const GRPC_MAX_BYTES = 4 * 1024 * 1024

export class OtlpError extends Error {
  constructor(
    readonly kind: "invalid" | "too_large" | "unsupported",
    message: string,
  ) {
    super(message)
  }
}

/**
 * Read a request body, failing as soon as it passes `max` bytes. With a declared length the
 * body is copied once into a buffer of that size (a 20 MB body costs 20 MB, not 40).
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null, max: number, declared = 0): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  let out = new Uint8Array(declared > 0 && declared <= max ? declared : 0)
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (total + value.byteLength > max) {
      await reader.cancel().catch(() => {})
      throw new OtlpError("too_large", `request body exceeds ${max} bytes`)
    }
    if (total + value.byteLength > out.byteLength) {
      const grown = new Uint8Array(Math.min(max, Math.max(out.byteLength * 2, total + value.byteLength, 64 * 1024)))
      grown.set(out.subarray(0, total))
      out = grown
    }
    out.set(value, total)
    total += value.byteLength
  }
  return total === out.byteLength ? out : out.subarray(0, total)
}

let gcPending = false
let sinceGc = 0
/** a request's garbage grows with its items (~1 KB of decoded objects each) more than with its bytes */
let itemsSinceGc = 0
let idleTimer: ReturnType<typeof setTimeout> | undefined

function collect(): void {
  gcPending = false
  sinceGc = 0
  itemsSinceGc = 0
  Bun.gc(true)
}

/**
 * Ask for a full collection soon after a large request, after every 8 MiB or 20 000 items of requests, and
 * once ingest has been quiet for a second: the transient copies of a request (raw bytes, the decoded message)
 * otherwise sit in the heap until the next allocation-driven GC, and what the process keeps
 * in RSS is then that garbage's high-water mark rather than what the store holds. A full
 * collection marks the whole store, so it is not run more often than that.
 */
export function collectSoon(bytes: number, items: number): void {
  sinceGc += bytes
  itemsSinceGc += items
  lastRequest = performance.now()
  if (bytes >= LARGE_BODY || sinceGc >= GC_EVERY || itemsSinceGc >= GC_EVERY_ITEMS) {
    if (gcPending) return
    gcPending = true
    setTimeout(collect, 100)
    return
  }
  if (!idleTimer) {
    idleTimer = setTimeout(onIdleCheck, IDLE_MS)
    idleTimer.unref()
  }
}

let lastRequest = 0
const IDLE_MS = 1000

function onIdleCheck(): void {
  const quiet = performance.now() - lastRequest
  if (quiet < IDLE_MS) {
    idleTimer = setTimeout(onIdleCheck, IDLE_MS - quiet)
    idleTimer.unref()
    return
  }
  idleTimer = undefined
  if (sinceGc > 0 && !gcPending) collect()
}

const GC_EVERY = 8 * 1024 * 1024
const GC_EVERY_ITEMS = 20_000
const LARGE_BODY = 2 * 1024 * 1024

export async function decompress(data: Uint8Array, encoding: string | null, max: number): Promise<Uint8Array> {
  const enc = (encoding ?? "identity").trim().toLowerCase()
  if (enc === "" || enc === "identity" || data.byteLength === 0) return data
  if (enc !== "gzip" && enc !== "deflate") throw new OtlpError("unsupported", `unsupported Content-Encoding "${enc}"`)
  try {
    // maxOutputLength makes zlib stop inflating at the cap instead of allocating the whole output
    const out = await (enc === "gzip" ? gunzipAsync : inflateAsync)(data, { maxOutputLength: max })
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
      throw new OtlpError("too_large", `decompressed body exceeds ${max} bytes`)
    }
    throw new OtlpError("invalid", `body is not valid ${enc}: ${(e as Error).message}`)
  }
}

export function decodeProto<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> {
  try {
    return fromBinary(schema, bytes)
  } catch (e) {
    throw new OtlpError("invalid", `malformed protobuf ${schema.name}: ${(e as Error).message}`)
  }
}

const ID_FIELDS = new Set(["traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"])
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/

/**
 * JSON nesting allowed before protobuf-es sees it. Its own limit is 100 message levels (two or
 * three JSON levels each); without this one, a body nested ~10 000 deep overflowed the stack
 * here first and came back as a 500 (found by fuzzing).
 */
const MAX_JSON_DEPTH = 400

/** OTLP/JSON carries ids as hex; protobuf-es' JSON reader expects base64 for bytes fields. */
function hexIdsToBase64(v: unknown, depth = 0): void {
  if (depth > MAX_JSON_DEPTH) throw new OtlpError("invalid", `JSON nested deeper than ${MAX_JSON_DEPTH} levels`)
  if (Array.isArray(v)) {
    for (const x of v) hexIdsToBase64(x, depth + 1)
    return
  }
  if (!v || typeof v !== "object") return
  const o = v as Record<string, unknown>
  for (const k in o) {
    const x = o[k]
    if (typeof x === "string") {
      if (ID_FIELDS.has(k) && HEX_RE.test(x)) o[k] = Buffer.from(x, "hex").toString("base64")
    } else if (x && typeof x === "object") hexIdsToBase64(x, depth + 1)
  }
}

export function decodeJson<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> {
  if (bytes.byteLength === 0) return fromBinary(schema, bytes)
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
  } catch (e) {
    throw new OtlpError("invalid", `malformed JSON: ${(e as Error).message}`)
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new OtlpError("invalid", `expected a JSON object for ${schema.name}`)
  }
  hexIdsToBase64(parsed)
  try {
    return fromJson(schema, parsed as never, { ignoreUnknownFields: true })
  } catch (e) {
    throw new OtlpError("invalid", `invalid OTLP/JSON ${schema.name}: ${(e as Error).message}`)
  }
}

/** google.rpc.Status {code, message} in protobuf wire format (the OTLP/HTTP error body). */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  const msg = new TextEncoder().encode(message)
  const out: number[] = [0x08, code, 0x12]
  let n = msg.byteLength
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  const buf = new Uint8Array(out.length + msg.byteLength)
  buf.set(out)
  buf.set(msg, out.length)
  return buf
}
