/**
 * What the wire readers of spans (wire-spans.ts) and log records (wire-logs.ts) share. An OTLP
 * export is resource parts (ResourceSpans / ResourceLogs: resource = 1, scopes = 2), each of
 * scope parts (resource-level scope = 1, items = 2). Over OTLP/HTTP the parts come from the
 * request body; over gRPC ConnectRPC hands them over as slices. Resources and scopes, one per
 * many items, go through protobuf-es. The whole request is parsed before the store sees any of
 * it, so a malformed request stores nothing; the limits' counters are added only then too.
 */
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf"
import { Writer } from "./compact.ts"
import { lim as limitsOf, resourceInfo, scopeInfo, type Lim } from "./ingest.ts"
import { LEN, malformed, TYPES, WireReader } from "./wire.ts"
import type { ResourceInfo } from "./store-traces.ts"
import type { TelemetryStore } from "./store.ts"
import { ResourceSchema } from "./gen/resource_pb.ts"
import { InstrumentationScopeSchema } from "./gen/common_pb.ts"

/** The resource parts of one request, over one reader. */
export interface Parts {
  r: WireReader
  each(visit: (start: number, end: number) => void): void
}

/** An export request's body (OTLP/HTTP protobuf): its field-1 entries. */
export function bodyParts(body: Uint8Array): Parts {
  const r = WireReader.of(body)
  return { r, each: (visit) => eachField(r, 0, r.buf.byteLength, 1, TYPES.export, visit) }
}

/**
 * The resource parts as ConnectRPC sliced them (receiver-grpc.ts). They are views of one
 * request buffer: one reader over that buffer, no copy (a copy only if they are not).
 */
export function sliceParts(items: Uint8Array[]): Parts {
  const whole = items[0]?.buffer
  if (whole && items.every((i) => i.buffer === whole)) {
    return {
      r: new WireReader(Buffer.from(whole), 0, whole.byteLength),
      each: (visit) => {
        for (const i of items) visit(i.byteOffset, i.byteOffset + i.byteLength)
      },
    }
  }
  let total = 0
  for (const item of items) total += item.byteLength
  const all = Buffer.allocUnsafe(total)
  const bounds: number[] = []
  let at = 0
  for (const item of items) {
    all.set(item, at)
    bounds.push(at, (at += item.byteLength))
  }
  return {
    r: new WireReader(all, 0, total),
    each: (visit) => {
      for (let i = 0; i < bounds.length; i += 2) visit(bounds[i]!, bounds[i + 1]!)
    },
  }
}

/** What an item reader gets for every item of one scope part. */
export interface ScopeContext {
  resource: ResourceInfo
  scope: { name: string; version?: string }
  l: Lim
  /** where the items' encoded parts go */
  w: Writer
  /** the store's clock, read once per request */
  now: number
}

/** Message shapes of one signal: the wire types of its resource and scope parts. */
export interface Shapes {
  resource: readonly number[]
  scope: readonly number[]
}

const writer = new Writer()

/**
 * Reads every item of the request with `read` (given its scope's context, extended once per
 * scope part by `perScope`), then hands the items and the writer holding their encoded parts to
 * `store`. Returns the number of items.
 */
export function parseThenStore<T, C extends ScopeContext>(
  target: TelemetryStore,
  parts: Parts,
  shapes: Shapes,
  perScope: (base: ScopeContext) => C,
  read: (r: WireReader, start: number, end: number, ctx: C, out: T[]) => void,
  store: (items: T[], w: Writer) => void,
): number {
  const counters = { truncatedValues: 0, droppedAttributes: 0 }
  const l: Lim = { a: limitsOf(target).a, c: counters }
  const now = target.now()
  const out: T[] = []
  const r = parts.r
  writer.pos = 0
  try {
    parts.each((start, end) => {
      // the resource may follow its scope parts on the wire: find it first
      const res = lastField(r, start, end, 1, shapes.resource)
      const resource = resourceInfo(res ? sub(ResourceSchema, r, res[0], res[1]) : undefined, l)
      eachField(r, start, end, 2, shapes.resource, (ss, se) => {
        const sc = lastField(r, ss, se, 1, shapes.scope)
        const scope = scopeInfo(sc ? sub(InstrumentationScopeSchema, r, sc[0], sc[1]) : undefined, l)
        const ctx = perScope({ resource, scope, l, w: writer, now })
        eachField(r, ss, se, 2, shapes.scope, (s, e) => read(r, s, e, ctx, out))
      })
    })
  } catch (e) {
    writer.pos = 0
    throw e
  }
  target.limited.truncatedValues += counters.truncatedValues
  target.limited.droppedAttributes += counters.droppedAttributes
  store(out, writer)
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
export function eachField(r: WireReader, start: number, end: number, field: number, types: readonly number[], each: (s: number, e: number) => void): void {
  for (let p = start; ; ) {
    const s = r.seek(p, end, (field << 3) | LEN, types)
    if (s < 0) return
    p = r.next
    each(s, p)
  }
}

/** Where an item's entries of one repeated field are: from the first tag to the end of the last entry. */
export class Run {
  from = -1
  to = -1
  n = 0

  reset(): void {
    this.from = -1
    this.to = -1
    this.n = 0
  }

  /** The reader stands after the entry's tag (one byte: fields below 16). */
  add(r: WireReader): void {
    if (this.from < 0) this.from = r.pos - 1
    r.skip(LEN)
    this.to = r.pos
    this.n++
  }
}
