// The exporter side of bench/otel-ingest.ts, in its own process (as a service's exporter would
// be): sends the length-prefixed OTLP trace payloads in `file` to a receiver, 4 requests in
// flight, `rounds` times after 3 warm-up rounds, and prints the elapsed milliseconds.
// Usage: bun bench/otel-client.ts http|grpc <port> <file> <rounds>
import http2 from "node:http2"
import { readFileSync } from "node:fs"

const [mode, portText, file, roundsText] = process.argv.slice(2)
const port = Number(portText)
const buf = readFileSync(file!)
const payloads: Uint8Array[] = []
for (let off = 0; off < buf.byteLength; ) {
  const len = buf.readUInt32BE(off)
  payloads.push(buf.subarray(off + 4, off + 4 + len))
  off += 4 + len
}

let send: (p: Uint8Array) => Promise<void>
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
      req.on("data", () => {})
      req.on("end", resolve)
      req.on("error", reject)
      req.end(frame)
    })
} else {
  send = (body) =>
    fetch(`http://127.0.0.1:${port}/v1/traces`, { method: "POST", body: body as Uint8Array<ArrayBuffer>, headers: { "content-type": "application/x-protobuf" } }).then((r) => void r.arrayBuffer())
}

async function round() {
  for (let i = 0; i < payloads.length; i += 4) await Promise.all(payloads.slice(i, i + 4).map(send))
}
for (let i = 0; i < 3; i++) await round()
const t = performance.now()
for (let i = 0; i < Number(roundsText); i++) await round()
console.log(String(performance.now() - t))
close()
