// CPU and RSS of the supervisor (the compiled binary, collector only) at a fixed 10k spans/s
// over OTLP/HTTP protobuf (500-span batches every 50 ms), measured after a warm-up, next to the
// same supervisor idle. The OTel Collector testbed allows 20 % of a core and 100 MiB at this
// rate; the ratios printed are measured / that budget (≤ 1.0 passes). Two runs: the default
// buffers (10k traces: the store keeps ~100k spans, and that is most of the RSS), and a
// 1k-trace buffer, which leaves mostly the pipeline's own cost — the testbed's collector stores
// nothing. The rate reported is what the collector accepted (its `received` counter over the
// timed window), not what the pacer scheduled. The budget is the testbed's published figure:
// no OTel Collector binary can be installed here to run beside devrig. With default buffers the
// target is issue 16's: peak RSS ≤ 150 MiB (the store holds ~100k spans; the testbed's
// collector holds none). The exit code is 1 when a target is missed, a request failed, or the
// collector accepted less than 95 % of the offered rate.
//   bun bench/otel-load.ts [seconds=30] [spansPerSecond=10000]
import { cpuTicks, paced, post, rssMiB, spanBatch, startCollector } from "./otel-common.ts"

const SECONDS = Number(process.argv[2] ?? 30)
const RATE = Number(process.argv[3] ?? 10_000)
const BATCH = 500
const WARMUP_S = 5
const BUDGET = { cpu: 0.2 }
let missed = false

for (const [label, otel, rssTarget] of [["default buffers (trace_buffer = 10000)", {}, 150], ["trace_buffer = 1000", { trace_buffer: 1000 }, 100]] as const) {
  const c = await startCollector(otel)
  console.log(`== ${label}`)
  try {
    // idle baseline
    await Bun.sleep(1000)
    let t0 = performance.now()
    let k0 = cpuTicks(c.pid)
    await Bun.sleep(3000)
    const idleCpu = (cpuTicks(c.pid) - k0) / 100 / ((performance.now() - t0) / 1000)
    const idleRss = rssMiB(c.pid)

    let failed = 0
    const tick = async () => {
      const res = await post(c.http, "traces", spanBatch(BATCH))
      if (!res.ok) failed++
      await res.arrayBuffer()
    }
    const period = (1000 * BATCH) / RATE
    await paced(period, Date.now() + WARMUP_S * 1000, tick)
    t0 = performance.now()
    k0 = cpuTicks(c.pid)
    const received0 = (await c.status()).collector.traces.received
    let peak = 0
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(c.pid))), 250)
    const { late, ticks } = await paced(period, Date.now() + SECONDS * 1000, tick)
    clearInterval(sampler)
    const wall = (performance.now() - t0) / 1000
    const cpu = (cpuTicks(c.pid) - k0) / 100 / wall
    const rss = rssMiB(c.pid)
    const st = await c.status()
    const achieved = (st.collector.traces.received - received0) / wall
    console.log(`supervisor at ${RATE.toLocaleString("en-US")} spans/s offered (${Math.round(achieved).toLocaleString("en-US")} accepted by the collector, ${Math.round((ticks * BATCH) / wall).toLocaleString("en-US")} sent, ${late} late ticks, ${failed} failed requests), ${SECONDS} s after ${WARMUP_S} s warm-up`)
    console.log(`  idle:   CPU ${(idleCpu * 100).toFixed(1)} % of a core, RSS ${idleRss.toFixed(0)} MiB`)
    console.log(`  loaded: CPU ${(cpu * 100).toFixed(1)} % of a core, RSS ${rss.toFixed(0)} MiB (peak ${peak.toFixed(0)} MiB)`)
    console.log(`  store: ${st.collector.traces.received.toLocaleString("en-US")} spans received, ${st.collector.traces.stored.toLocaleString("en-US")} stored, ${st.collector.traces.evicted.toLocaleString("en-US")} evicted`)
    console.log(`ratio CPU/budget ${(cpu / BUDGET.cpu).toFixed(2)}  peak RSS/target ${(peak / rssTarget).toFixed(2)}  (targets: ${BUDGET.cpu * 100} % of a core, ${rssTarget} MiB)`)
    if (cpu > BUDGET.cpu || peak > rssTarget || failed > 0 || achieved < RATE * 0.95) missed = true
  } finally {
    await c.stop()
  }
}
console.log(missed ? "FAIL" : "PASS")
process.exit(missed ? 1 : 0)
