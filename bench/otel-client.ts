// The exporter side of bench/otel-ingest.ts, in its own process (as a service's exporter would
// be). `file` holds rounds of OTLP trace payloads, each framed as [u32 round][u32 spans][u32
// length][bytes]; every round has fresh ids. Round 0..warmup-1 warm up; the rest are timed. 4
// requests in flight. Only accepted requests count: HTTP 200, or grpc-status 0 in the trailers
// (or in the headers of a trailers-only response). Prints one JSON line:
// {"ms": timed milliseconds, "accepted": spans accepted in timed rounds, "sent": …, "rejected": requests, "all": spans accepted in all rounds}
// Usage: bun bench/otel-client.ts http|grpc <port> <file> <warmup>
import http2 from "node:http2"
import { readFileSync } from "node:fs"

const [mode, portText, file, warmupText] = process.argv.slice(2)
const port = Number(portText)
const warmup = Number(warmupText)
const buf = readFileSync(file!)
const rounds: { spans: number; body: Uint8Array }[][] = []
for (let off = 0; off < buf.byteLength; ) {
  const round = buf.readUInt32BE(off)
  const spans = buf.readUInt32BE(off + 4)
  const len = buf.readUInt32BE(off + 8)
  ;(rounds[round] ??= []).push({ spans, body: buf.subarray(off + 12, off + 12 + len) })
  off += 12 + len
}

let send: (p: Uint8Array) => Promise<boolean>
let close = () => {}
if (mode === "grpc") {
  const session = http2.connect(`http://127.0.0.1:${port}`)
  close = () => session.close()
  send = (p) =>
    new Promise((resolve, reject) => {
      const frame = new Uint8Array(5 + p.byteLength)
      new DataView(frame.buffer).setUint32(1, p.byteLength)
      frame.set(p, 5)
      const req = session.request({ ":method": "POST", ":path": "/opentelemetry.proto.collector.trace.v1.TraceService/Export", "content-type": "application/grpc", te: "trailers" })
      let status: string | undefined
      req.on("response", (h) => (status ??= h["grpc-status"] as string | undefined))
      req.on("trailers", (h) => (status = (h["grpc-status"] as string | undefined) ?? status))
      req.on("data", () => {})
      req.on("end", () => resolve(status === "0"))
      req.on("error", reject)
      req.end(frame)
    })
} else {
  send = async (body) => {
    const r = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: "POST", body: body as Uint8Array<ArrayBuffer>, headers: { "content-type": "application/x-protobuf" } })
    await r.arrayBuffer()
    return r.status === 200
  }
}

let accepted = 0
let sent = 0
let rejected = 0
let all = 0
async function round(items: { spans: number; body: Uint8Array }[], timed: boolean) {
  for (let i = 0; i < items.length; i += 4) {
    const group = items.slice(i, i + 4)
    const ok = await Promise.all(group.map((x) => send(x.body)))
    group.forEach((x, k) => {
      if (ok[k]) all += x.spans
      else rejected++
      if (!timed) return
      sent += x.spans
      if (ok[k]) accepted += x.spans
    })
  }
}
for (let r = 0; r < warmup; r++) await round(rounds[r]!, false)
const t = performance.now()
for (let r = warmup; r < rounds.length; r++) await round(rounds[r]!, true)
const ms = performance.now() - t
console.log(JSON.stringify({ ms, accepted, sent, rejected, all }))
close()
