// Soak: the compiled collector at 5k spans/s + 2k logs/s + 200 metric points/s for N minutes
// (default 1; --minutes 30 for the full run). Every signal must account for all it received
// (stored + evicted == received) and the supervisor's RSS must be flat after warm-up: the ratio
// printed is RSS at the end / RSS after warm-up (≤ 1.10 passes).
//   bun bench/otel-soak.ts [--minutes 1]
import { logBatch, metricBatch, paced, post, rssMiB, spanBatch, startCollector } from "./otel-common.ts"

const i = process.argv.indexOf("--minutes")
const MINUTES = i > 0 ? Number(process.argv[i + 1]) : 1
const TOTAL_MS = MINUTES * 60_000
const WARMUP_MS = Math.min(60_000, TOTAL_MS / 4)

// small buffers fill early: after warm-up every new item evicts an old one (the steady state)
const c = await startCollector({ trace_buffer: 2000, log_buffer: 20_000, metric_buffer: 20_000 })
let failed = 0
const ok = async (res: Promise<Response>) => {
  const r = await res
  if (!r.ok) failed++
  await r.arrayBuffer()
}
try {
  const end = Date.now() + TOTAL_MS
  const samples: [number, number][] = []
  const t0 = Date.now()
  const sampler = setInterval(() => samples.push([Date.now() - t0, rssMiB(c.pid)]), 2000)
  await Promise.all([
    paced(100, end, () => ok(post(c.http, "traces", spanBatch(500)))), // 5k spans/s
    paced(100, end, () => ok(post(c.http, "logs", logBatch(200)))), // 2k logs/s
    paced(500, end, () => ok(post(c.http, "metrics", metricBatch(100)))), // 200 points/s
  ])
  clearInterval(sampler)
  const st = (await c.status()).collector
  const after = samples.filter(([t]) => t >= WARMUP_MS)
  const base = after.slice(0, 3).reduce((n, [, r]) => n + r, 0) / Math.max(1, Math.min(3, after.length))
  const last = after.slice(-3).reduce((n, [, r]) => n + r, 0) / Math.max(1, Math.min(3, after.length))
  const peak = Math.max(...samples.map(([, r]) => r))
  const balance = (s: { received: number; stored: number; evicted: number }) => `${s.received.toLocaleString("en-US")} received = ${s.stored.toLocaleString("en-US")} stored + ${s.evicted.toLocaleString("en-US")} evicted ${s.stored + s.evicted === s.received ? "✓" : "✗"}`
  console.log(`soak ${MINUTES} min: 5k spans/s + 2k logs/s + 200 points/s (${failed} failed requests)`)
  console.log(`  traces:  ${balance(st.traces)}`)
  console.log(`  logs:    ${balance(st.logs)}`)
  console.log(`  metrics: ${balance(st.metrics)}`)
  console.log(`  RSS after ${(WARMUP_MS / 1000).toFixed(0)} s warm-up ${base.toFixed(0)} MiB, at the end ${last.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB`)
  const balanced = [st.traces, st.logs, st.metrics].every((s) => s.stored + s.evicted === s.received)
  const ratio = last / base
  console.log(`ratio RSS end/after-warm-up ${ratio.toFixed(2)} (≤ 1.10) — ${balanced && ratio <= 1.1 && failed === 0 ? "PASS" : "FAIL"}`)
  process.exitCode = balanced && ratio <= 1.1 && failed === 0 ? 0 : 1
} finally {
  await c.stop()
}
