// Bytes of supervisor RSS per stored span and per stored log record: the compiled binary
// (collector only, default settings), realistic SDK-shaped telemetry over OTLP/HTTP protobuf,
// and the RSS of the supervisor process read from /proc before and after (not object counts).
// Spans: 10 attributes, 15 resource attributes, one event in 10, traces of 10 spans. Logs: a
// ~80-character body, 3 attributes, the same resource, one in two carrying a trace id.
// Targets: ≤ 500 B per span at 100k spans, ≤ 400 B per log record at 100k records.
//   bun bench/otel-store-size.ts [spans=100000] [logs=100000]
import { realisticLogs as logRequest, realisticSpans as spanRequest, rssMiB, startCollector } from "./otel-common.ts"

const SPANS = Number(process.argv[2] ?? 100_000)
const LOGS = Number(process.argv[3] ?? 100_000)
const TARGET = { span: 500, log: 400 }
const BATCH = 500

async function send(port: number, signal: "traces" | "logs", body: Uint8Array): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/${signal}`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: body as BodyInit })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`${signal}: HTTP ${res.status}`)
}

/**
 * RSS of the idle collector: after the collection it runs once ingest has been quiet for a
 * second (src/otel/decode.ts), and once it stops moving.
 */
async function settledRss(pid: number): Promise<number> {
  await Bun.sleep(2500)
  let last = rssMiB(pid)
  for (let i = 0; i < 40; i++) {
    await Bun.sleep(500)
    const now = rssMiB(pid)
    if (Math.abs(now - last) < 0.25) return now
    last = now
  }
  return last
}

/** Supervisor RSS growth per stored item: a fresh collector, one warm-up batch, then `n` items. */
async function measure(signal: "traces" | "logs", n: number, make: (n: number) => Uint8Array) {
  const c = await startCollector()
  try {
    await send(c.http, signal, make(BATCH))
    const base = await settledRss(c.pid)
    for (let sent = BATCH; sent < n; sent += BATCH) await send(c.http, signal, make(Math.min(BATCH, n - sent)))
    const after = await settledRss(c.pid)
    const st = (await c.status()).collector
    const counters = signal === "traces" ? st.traces : st.logs
    const perItem = ((after - base) * 1024 * 1024) / (counters.stored - BATCH)
    console.log(`${signal}: RSS ${base.toFixed(1)} MiB after warm-up → ${after.toFixed(1)} MiB with ${counters.stored.toLocaleString("en-US")} stored (${counters.received.toLocaleString("en-US")} received, ${counters.evicted} evicted); store's estimate ${((st.memory?.bytes ?? 0) / 1048576).toFixed(1)} MiB`)
    return { perItem, stored: counters.stored }
  } finally {
    await c.stop()
  }
}

const spans = await measure("traces", SPANS, spanRequest)
const logs = await measure("logs", LOGS, logRequest)
console.log(`bytes per span ${spans.perItem.toFixed(0)} (target ≤ ${TARGET.span})  bytes per log ${logs.perItem.toFixed(0)} (target ≤ ${TARGET.log})`)
console.log(`ratio span ${(spans.perItem / TARGET.span).toFixed(2)}  log ${(logs.perItem / TARGET.log).toFixed(2)}`)
let failed = spans.perItem > TARGET.span || logs.perItem > TARGET.log
if (spans.stored < SPANS || logs.stored < LOGS) {
  console.log(`FAIL: expected ${SPANS} spans and ${LOGS} logs stored`)
  failed = true
}
process.exit(failed ? 1 : 0)
