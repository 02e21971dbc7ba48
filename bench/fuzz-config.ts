// The long devrig.toml fuzz: the CI test's mutations (test/integration/fuzz/config-mutations.ts)
// ≥10k times in-process, plus every 100th through the compiled binary. Prints outcomes by kind,
// internal errors (must be none), and the slowest validation (a pathological input shows here).
//   bun bench/fuzz-config.ts [configs=10000] [seed=1]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { mutate, validateInProcess } from "../test/integration/fuzz/config-mutations.ts"
import { rng } from "../test/integration/fuzz/otlp-cases.ts"

const N = Number(process.argv[2] ?? 10_000)
const SEED = Number(process.argv[3] ?? 1)
const BIN = join(import.meta.dir, "..", "dist", "devrig")
const dir = mkdtempSync(join(tmpdir(), "devrig-fuzz-config-"))
writeFileSync(join(dir, "devrig.toml"), '[project]\nname = "fz"\n')
const r = rng(SEED)
const outcomes: Record<string, number> = {}
const exits: Record<string, number> = {}
const bugs: string[] = []
let slowest = { ms: 0, what: "" }
const t0 = performance.now()
try {
  for (let i = 0; i < N; i++) {
    const m = mutate(r)
    const t = performance.now()
    const o = await validateInProcess(join(dir, "devrig.toml"), m.text)
    const ms = performance.now() - t
    if (ms > slowest.ms) slowest = { ms, what: `${m.seed}/${m.mutation}` }
    outcomes[o.kind] = (outcomes[o.kind] ?? 0) + 1
    if ((o.kind === "BUG" || o.kind === "input-error") && bugs.length < 20) bugs.push(`${m.seed}/${m.mutation} (${o.kind}): ${o.message}`)
    if (i % 100 === 0) {
      const p = join(dir, `spawn-${i}`)
      Bun.spawnSync(["mkdir", "-p", p])
      writeFileSync(join(p, "devrig.toml"), m.text)
      const res = Bun.spawnSync([BIN, "validate"], { cwd: p, env: { ...process.env, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe" })
      exits[res.exitCode] = (exits[res.exitCode] ?? 0) + 1
      const err = res.stderr.toString()
      if ((res.exitCode !== 0 && res.exitCode !== 1) || /\n\s+at .+:\d+:\d+/.test(err)) bugs.push(`binary ${m.seed}/${m.mutation}: exit ${res.exitCode} ${err.slice(0, 200)}`)
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(`${N.toLocaleString("en-US")} mutated configs (seed ${SEED}) in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${JSON.stringify(outcomes)}; binary sample exits ${JSON.stringify(exits)}`)
console.log(`slowest validation ${slowest.ms.toFixed(0)} ms (${slowest.what})`)
for (const b of bugs) console.log(`  BUG ${b}`)
console.log(`ratio internal-errors/total ${(bugs.length / N).toFixed(5)} (must be 0)`)
process.exitCode = bugs.length ? 1 : 0
