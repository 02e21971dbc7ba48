// Overload: measure the collector's capacity (closed loop, 8 senders, 10 s), then offer 5× that
// (open loop, paced, up to 1024 requests in flight — MAX_INFLIGHT=…) for 60 s over OTLP/HTTP.
// Pass: no 5xx other than 503, every span either stored/evicted (counted as received) or refused
// with 429/503 + Retry-After, supervisor RSS bounded, and within 5 s after the overload ends
// (the moment offering stops, while the requests still in flight drain) a new request is
// answered 200 in under 100 ms. Reports what was scheduled, what was actually sent (the client
// skips a tick when MAX_INFLIGHT requests are in flight), and what was accepted; the ratio is
// accepted/sent.
//   bun bench/otel-overload.ts [seconds=60] [factor=5]
import { cpuTicks, post, rssMiB, spanBatch, startCollector } from "./otel-common.ts"

const SECONDS = Number(process.argv[2] ?? 60)
const FACTOR = Number(process.argv[3] ?? 5)
const BATCH = 500
const MAX_INFLIGHT = Number(process.env.MAX_INFLIGHT ?? 1024)

const c = await startCollector({ trace_buffer: 2000 })
const statuses = new Map<string, number>()
const count = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1)
let retryAfterMissing = 0
try {
  // capacity: 8 closed-loop senders for 10 s
  const payloads = Array.from({ length: 64 }, () => spanBatch(BATCH))
  let sent = 0
  const capEnd = Date.now() + 10_000
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; Date.now() < capEnd; i += 8) {
        const res = await post(c.http, "traces", payloads[i % payloads.length]!)
        await res.arrayBuffer()
        if (res.ok) sent += BATCH
      }
    }),
  )
  const capacity = sent / ((performance.now() - t0) / 1000)
  console.log(`capacity (8 closed-loop senders): ${Math.round(capacity).toLocaleString("en-US")} spans/s`)

  // overload: FACTOR × capacity, open loop
  const offeredRate = capacity * FACTOR
  const period = (1000 * BATCH) / offeredRate
  const received0 = (await c.status()).collector.traces.received
  const k0 = cpuTicks(c.pid)
  let offered = 0
  let sentSpans = 0
  let accepted = 0
  let skipped = 0
  let peakRss = 0
  const inflight = new Set<Promise<void>>()
  const end = Date.now() + SECONDS * 1000
  let next = performance.now()
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(c.pid))), 250)
  const tOver = performance.now()
  while (Date.now() < end) {
    offered += BATCH
    if (inflight.size >= MAX_INFLIGHT) skipped += BATCH
    else {
      sentSpans += BATCH
      const p = (async () => {
        try {
          const res = await post(c.http, "traces", payloads[offered % payloads.length]!)
          await res.arrayBuffer()
          count(String(res.status))
          if (res.ok) accepted += BATCH
          else if ((res.status === 429 || res.status === 503) && !res.headers.get("retry-after")) retryAfterMissing++
        } catch (e) {
          count(`error: ${(e as Error).message.slice(0, 60)}`)
        }
      })()
      inflight.add(p)
      void p.finally(() => inflight.delete(p))
    }
    next += period
    const wait = next - performance.now()
    if (wait > 1) await Bun.sleep(wait)
    else if (wait < -1000) next = performance.now() // never burst to catch up more than 1 s
    else await Promise.resolve()
  }
  // recovery is measured from the end of the overload, while what is in flight still drains
  const tr = performance.now()
  const inflightAtEnd = inflight.size
  let recoveredMs = -1
  let probeAccepted = 0
  while (performance.now() - tr < 10_000) {
    const s = performance.now()
    const res = await post(c.http, "traces", spanBatch(10))
    await res.arrayBuffer()
    if (res.ok) probeAccepted += 10
    if (res.ok && performance.now() - s < 100) {
      recoveredMs = performance.now() - tr
      break
    }
    await Bun.sleep(50)
  }
  const drainStart = performance.now()
  await Promise.all(inflight)
  const drainedMs = performance.now() - tr
  clearInterval(sampler)
  const overWall = (drainStart - tOver) / 1000
  const cpu = (cpuTicks(c.pid) - k0) / 100 / ((performance.now() - tOver) / 1000)

  const st = (await c.status()).collector.traces
  const received = st.received - received0 - probeAccepted
  const fivexx = [...statuses].filter(([k]) => /^5\d\d$/.test(k) && k !== "503").reduce((n, [, v]) => n + v, 0)
  console.log(`overload: ${FACTOR}× = ${Math.round(offeredRate).toLocaleString("en-US")} spans/s scheduled for ${SECONDS} s: ${offered.toLocaleString("en-US")} spans scheduled, ${sentSpans.toLocaleString("en-US")} sent (${skipped.toLocaleString("en-US")} not sent: client at ${MAX_INFLIGHT} in flight), ${inflightAtEnd} requests still in flight when it ended (drained ${(drainedMs / 1000).toFixed(1)} s later)`)
  console.log(`  delivered: ${accepted.toLocaleString("en-US")} spans accepted = ${Math.round(accepted / overWall).toLocaleString("en-US")} spans/s over the ${overWall.toFixed(1)} s of overload, ${(accepted / capacity / overWall).toFixed(2)}× the measured capacity`)
  console.log(`  statuses: ${JSON.stringify(Object.fromEntries(statuses))}${retryAfterMissing ? `, ${retryAfterMissing} refusals without Retry-After` : ""}`)
  console.log(`  accepted ${accepted.toLocaleString("en-US")} spans; the store counted ${received.toLocaleString("en-US")} received (stored ${st.stored.toLocaleString("en-US")} + evicted ${st.evicted.toLocaleString("en-US")} = ${(st.stored + st.evicted).toLocaleString("en-US")} of ${st.received.toLocaleString("en-US")})`)
  console.log(`  supervisor: CPU ${(cpu * 100).toFixed(0)} % of a core, peak RSS ${peakRss.toFixed(0)} MiB; a new request answered in < 100 ms ${recoveredMs < 0 ? "NOT within 10 s" : `${recoveredMs.toFixed(0)} ms after the overload ended`}`)
  const ok = fivexx === 0 && received === accepted && recoveredMs >= 0 && recoveredMs <= 5000 && retryAfterMissing === 0
  console.log(`ratio accepted/sent ${(accepted / sentSpans).toFixed(2)} (accepted/scheduled ${(accepted / offered).toFixed(2)}) — ${ok ? "PASS" : "FAIL"} (no 5xx but 503, nothing accepted lost, recovery ≤ 5 s)`)
  process.exitCode = ok ? 0 : 1
} finally {
  await c.stop()
}
