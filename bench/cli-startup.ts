// How much slower than an empty compiled Bun program does `devrig --version` start?
// Builds a hello-world with the same flags as scripts/build.ts (compile, minify, bytecode, ESM),
// runs each binary ~50 times after a warm-up, and compares medians. Target: ratio ≤ 2.5.
//   bun bench/cli-startup.ts [runs]      (build dist/devrig first: ./scripts/build)
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const RUNS = Number(process.argv[2] ?? 50)
const TARGET = 2.5
const devrig = join(import.meta.dir, "..", "dist", "devrig")
if (!existsSync(devrig)) {
  console.error(`${devrig} is missing: run ./scripts/build first`)
  process.exit(1)
}

const dir = mkdtempSync(join(tmpdir(), "devrig-bench-"))
try {
  const src = join(dir, "hello.ts")
  const hello = join(dir, "hello")
  writeFileSync(src, 'process.stdout.write("hello 0.0.0\\n")\n')
  const build = Bun.spawnSync(["bun", "build", "--compile", "--minify", "--bytecode", "--format=esm", src, "--outfile", hello], { stdout: "ignore", stderr: "pipe" })
  if (build.exitCode !== 0) throw new Error(`building the hello-world failed:\n${build.stderr.toString()}`)

  const time = (argv: string[], runs: number): number[] => {
    for (let i = 0; i < 3; i++) Bun.spawnSync(argv, { stdout: "ignore", stderr: "ignore" }) // warm the page cache
    const out: number[] = []
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      const r = Bun.spawnSync(argv, { stdout: "ignore", stderr: "ignore" })
      out.push(performance.now() - t)
      if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${r.exitCode}`)
    }
    return out
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
  }
  const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!

  // Interleave the two so machine noise hits both alike.
  const a: number[] = []
  const b: number[] = []
  for (let round = 0; round < 5; round++) {
    a.push(...time([hello], Math.ceil(RUNS / 5)))
    b.push(...time([devrig, "--version"], Math.ceil(RUNS / 5)))
  }
  const ma = median(a)
  const mb = median(b)
  const ratio = mb / ma
  const row = (name: string, xs: number[]) => `  ${name.padEnd(22)} median ${median(xs).toFixed(1).padStart(6)} ms   p90 ${p90(xs).toFixed(1).padStart(6)} ms   (${xs.length} runs)`
  console.log("CLI startup (wall clock, spawn to exit)")
  console.log(row("hello-world (compiled)", a))
  console.log(row("devrig --version", b))
  console.log(`  ratio ${ratio.toFixed(2)} (target ≤ ${TARGET}) ${ratio <= TARGET ? "ok" : "OVER TARGET"}`)
  process.exitCode = ratio <= TARGET ? 0 : 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
