// The long OTLP fuzz: the CI test's generator (test/integration/fuzz/otlp-cases.ts) for ≥100k
// bodies against the compiled binary's receivers. Prints the count of each kind, any answer the
// OTLP spec does not allow, peak supervisor RSS, and unexpected/total as the ratio (must be 0).
//   bun bench/fuzz-otlp.ts [cases=100000] [seed=1]
import { bigBodies, makeCase, rng, runCase, SIGNALS, TRANSPORTS, validJson, validProto, type FuzzCase, type Target } from "../test/integration/fuzz/otlp-cases.ts"
import { rssMiB, startCollector } from "./otel-common.ts"

const CASES = Number(process.argv[2] ?? 100_000)
const SEED = Number(process.argv[3] ?? 1)
const c = await startCollector({ trace_buffer: 1000, log_buffer: 5000, metric_buffer: 5000 })
const target: Target = { httpPort: c.http, grpcPort: c.grpc }
const r = rng(SEED)
const big = bigBodies()
const unexpected: string[] = []
const kinds = new Map<string, number>()
let peak = 0
let bad = 0
const t0 = performance.now()
try {
  for (let done = 0; done < CASES; ) {
    const batch: FuzzCase[] = Array.from({ length: Math.min(8, CASES - done) }, () => makeCase(r, big))
    const res = await Promise.all(batch.map((x) => runCase(target, x)))
    res.forEach((x, j) => {
      const k = `${batch[j]!.transport} ${batch[j]!.kind}`
      kinds.set(k, (kinds.get(k) ?? 0) + 1)
      if (!batch[j]!.allowed.includes(x.status)) {
        bad++
        if (unexpected.length < 30) unexpected.push(`${k} ${batch[j]!.signal}: ${x.status} ${x.message.slice(0, 100)}`)
      }
    })
    done += batch.length
    if (done % 800 < 8) {
      peak = Math.max(peak, rssMiB(c.pid))
      for (const transport of TRANSPORTS) {
        const signal = SIGNALS[done % 3]!
        const body = transport === "http/json" ? new TextEncoder().encode(JSON.stringify(validJson(signal, r))) : validProto(signal, r)
        const ok = await runCase(target, { kind: "probe", transport, signal, body, allowed: [] })
        if (ok.status !== (transport === "grpc" ? 0 : 200)) (bad++, unexpected.push(`probe ${transport}: ${ok.status} ${ok.message}`))
      }
    }
    if (done % 10_000 < 8) console.log(`  ${done.toLocaleString("en-US")} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${rssMiB(c.pid).toFixed(0)} MiB`)
  }
} finally {
  target.session?.close()
  await c.stop()
}
console.log(`${CASES.toLocaleString("en-US")} OTLP bodies (seed ${SEED}) in ${((performance.now() - t0) / 1000).toFixed(0)} s, ${kinds.size} kinds, peak supervisor RSS ${peak.toFixed(0)} MiB`)
for (const [k, n] of [...kinds].sort()) console.log(`  ${String(n).padStart(7)}  ${k}`)
for (const u of unexpected) console.log(`  UNEXPECTED ${u}`)
console.log(`ratio unexpected/total ${(bad / CASES).toFixed(5)} (must be 0)`)
process.exitCode = bad ? 1 : 0
