// OTLP fuzz (CI size): a few thousand seeded bodies across HTTP protobuf, HTTP JSON and gRPC for
// the three signals. Every answer is one the OTLP spec allows (400/413/415 or INVALID_ARGUMENT /
// RESOURCE_EXHAUSTED; never 5xx, INTERNAL or no answer), RSS stays under budget, and a valid
// request succeeds after every batch. The receivers are the compiled binary's (a devrig with only
// a dashboard), so its RSS is measured alone. bench/fuzz-otlp.ts runs the same generator for ≥100k.
import { expect, test } from "bun:test"
import { bigBodies, makeCase, rng, runCase, SIGNALS, TRANSPORTS, validJson, validProto, type FuzzCase, type Target } from "./otlp-cases.ts"
import { assertCleanedUp, isAlive, stop } from "../../helpers/proc-fixtures.ts"
import { rssBytes } from "../faults/helpers.ts"
import { collectorOnly } from "./collector.ts"

const SEED = Number(process.env.DEVRIG_FUZZ_SEED ?? 20261122)
const CASES = Number(process.env.DEVRIG_FUZZ_CASES ?? 5000)
const RSS_BUDGET = 300 * 1024 * 1024

test(`OTLP fuzz: ${CASES} bodies (seed ${SEED}) get spec statuses, RSS stays bounded, valid requests still succeed`, async () => {
  const { p, sup, ports, target } = await collectorOnly("fuzzotlp")
  const r = rng(SEED)
  const big = bigBodies()
  const unexpected: string[] = []
  const kinds = new Map<string, number>()
  let peakRss = 0
  const t0 = performance.now()
  try {
    for (let batch = 0; batch * 100 < CASES; batch++) {
      const cases: FuzzCase[] = Array.from({ length: Math.min(100, CASES - batch * 100) }, () => makeCase(r, big))
      // 8 at a time: concurrency is part of the hostility
      for (let i = 0; i < cases.length; i += 8) {
        const slice = cases.slice(i, i + 8)
        const results = await Promise.all(slice.map((c) => runCase(target, c)))
        results.forEach((res, j) => {
          const c = slice[j]!
          kinds.set(`${c.transport} ${c.kind}`, (kinds.get(`${c.transport} ${c.kind}`) ?? 0) + 1)
          if (!c.allowed.includes(res.status) && unexpected.length < 20) unexpected.push(`${c.transport} ${c.signal} ${c.kind}: got ${res.status} (${res.message.slice(0, 120)}), allowed ${c.allowed}`)
        })
      }
      peakRss = Math.max(peakRss, rssBytes(sup))
      // after every batch a valid request of each transport still works
      for (const transport of TRANSPORTS) {
        const signal = SIGNALS[batch % 3]!
        const body = transport === "http/json" ? new TextEncoder().encode(JSON.stringify(validJson(signal, r))) : validProto(signal, r)
        const ok = await runCase(target, { kind: "probe", transport, signal, body, allowed: [] })
        if (ok.status !== (transport === "grpc" ? 0 : 200)) unexpected.push(`probe after batch ${batch}: ${transport} ${signal} → ${ok.status} ${ok.message}`)
      }
    }
  } finally {
    target.session?.close()
    expect(isAlive(sup), "the supervisor survived").toBe(true)
    await stop(p)
    await assertCleanedUp(p, ports, sup)
  }
  const secs = (performance.now() - t0) / 1000
  console.log(`[fuzz-otlp] ${CASES} cases in ${secs.toFixed(1)} s, peak RSS ${(peakRss / 1048576).toFixed(0)} MiB, ${kinds.size} kinds`)
  expect(unexpected).toEqual([])
  expect(peakRss).toBeLessThan(RSS_BUDGET)
  // every kind of hostility was exercised on every transport that has it
  for (const k of ["random-bytes", "truncated", "truncated-varint", "gzip-bomb", "oversized"]) for (const tr of ["http/protobuf", "grpc"]) expect(kinds.get(`${tr} ${k}`) ?? 0).toBeGreaterThan(0)
  for (const k of ["wrong-content-type", "json-mutation-0", "json-mutation-6"]) expect(kinds.get(`http/json ${k}`) ?? 0).toBeGreaterThan(0)
}, 120_000)
