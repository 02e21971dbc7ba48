// The forwarder against a real HTTP endpoint: retryable answers are retried (Retry-After
// honoured), others fail at once; queued requests of a signal are merged into one send whose
// bytes decode as the union; the queue drops oldest beyond its size.
import { afterEach, expect, test } from "bun:test"
import { create, fromBinary, toBinary } from "@bufbuild/protobuf"
import { backoffMs, Forwarder, retryAfterMs } from "../../../src/otel/forward.ts"
import { ExportTraceServiceRequestSchema } from "../../../src/otel/gen/trace_service_pb.ts"
import { waitFor } from "../../helpers/proc-fixtures.ts"

const servers: { stop(force?: boolean): void }[] = []
const forwarders: Forwarder[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true)
  for (const f of forwarders.splice(0)) f.stop()
})

function endpoint(answer: (n: number, body: Uint8Array) => Response | Promise<Response>) {
  let n = 0
  const bodies: Uint8Array[] = []
  const s = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = new Uint8Array(await req.arrayBuffer())
      bodies.push(body)
      return answer(++n, body)
    },
  })
  servers.push(s)
  return { url: `http://127.0.0.1:${s.port}`, bodies, calls: () => n }
}

function forwarder(url: string, queueSize = 1000) {
  const f = new Forwarder([{ endpoint: url, protocol: "http/protobuf", headers: { "x-key": "k" }, queueSize }])
  forwarders.push(f)
  return f
}

const spanRequest = (name: string) =>
  toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ scopeSpans: [{ spans: [{ name, traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(2) }] }] }] }))

test("Retry-After and backoff", () => {
  expect(retryAfterMs("2")).toBe(2000)
  expect(retryAfterMs(new Date(10_000).toUTCString(), 5_000)).toBe(5000)
  expect(retryAfterMs("soon")).toBeUndefined()
  expect(retryAfterMs("3600")).toBe(30_000)
  expect(backoffMs(1, () => 0)).toBe(500)
  expect(backoffMs(1, () => 1)).toBe(1000)
  expect(backoffMs(10, () => 1)).toBe(5000)
})

test("503 with Retry-After is retried until accepted; 400 fails without a retry", async () => {
  const flaky = endpoint((n) => (n <= 2 ? new Response("busy", { status: 503, headers: { "retry-after": "0" } }) : new Response("")))
  const f = forwarder(flaky.url)
  f.forward("traces", spanRequest("a"))
  await waitFor(() => f.counters()[0]!.sent === 1, "the request to be accepted", 5_000)
  expect(f.counters()[0]).toMatchObject({ sent: 1, failed: 0, retries: 2, lastError: "HTTP 503" })
  const bad = endpoint(() => new Response("no", { status: 400 }))
  const g = forwarder(bad.url)
  g.forward("traces", spanRequest("b"))
  await waitFor(() => g.counters()[0]!.failed === 1, "the request to fail", 5_000)
  expect(g.counters()[0]).toMatchObject({ sent: 0, retries: 0, lastError: "HTTP 400" })
  expect(bad.calls()).toBe(1)
})

test("queued requests are merged into one send that decodes as all of them; the queue drops oldest", async () => {
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const slow = endpoint(async (n) => {
    if (n === 1) await gate
    return new Response("")
  })
  const f = forwarder(slow.url, 3)
  for (const name of ["first", "x1", "x2", "x3", "x4", "x5"]) f.forward("traces", spanRequest(name))
  await waitFor(() => slow.calls() === 1, "the first send")
  // "first" is on the wire; of the five queued behind it, the two oldest were dropped
  expect(f.counters()[0]).toMatchObject({ queued: 3, dropped: 2 })
  release()
  await waitFor(() => f.counters()[0]!.sent === 4, "the rest to be sent")
  expect(slow.calls()).toBe(2)
  const merged = fromBinary(ExportTraceServiceRequestSchema, slow.bodies[1]!)
  expect(merged.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)))).toEqual(["x3", "x4", "x5"])
})
