// devrig.toml fuzz (CI size). Seeded mutations of real configs — deleted, duplicated and retyped
// keys, garbage and invalid UTF-8, unbalanced brackets, truncation, cycles — each validated
// in-process the way `devrig validate` does (located problems or a clean plan; never an
// internal error), then a sample through the compiled binary: exit 0 or 1, a located message,
// no stack trace. Nothing on disk changes. bench/fuzz-config.ts runs ≥10k.
import { expect, test } from "bun:test"
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { devrig, hasStackTrace, tempProject } from "../../helpers/cli.ts"
import { mutate, validateInProcess } from "./config-mutations.ts"
import { rng } from "./otlp-cases.ts"

const SEED = Number(process.env.DEVRIG_FUZZ_SEED ?? 20261122)
const CASES = Number(process.env.DEVRIG_FUZZ_CONFIGS ?? 2000)
const SPAWNED = 40

/** Every path under dir with its size and mtime: "nothing on disk changed" is this being equal. */
function snapshot(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e)
      const st = statSync(p)
      out.push(`${p} ${st.size} ${st.mtimeMs} ${(st.mode & 0o777).toString(8)}`)
      if (st.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return out.sort()
}

test(`${CASES} mutated configs validate in-process to located problems or a plan, never an internal error`, async () => {
  const proj = tempProject("[project]\nname = \"fz\"\n", { "services/api/.keep": "", "apps/web/.keep": "", "services/worker/.keep": "" })
  const path = join(proj.dir, "devrig.toml")
  const before = snapshot(proj.dir)
  const r = rng(SEED)
  const kinds: Record<string, number> = {}
  const bugs: string[] = []
  for (let i = 0; i < CASES; i++) {
    const m = mutate(r)
    const o = await validateInProcess(path, m.text)
    kinds[o.kind] = (kinds[o.kind] ?? 0) + 1
    // an input error thrown outside the located problem list would print without LINE:COL
    if ((o.kind === "BUG" || o.kind === "input-error") && bugs.length < 10) bugs.push(`#${i} ${m.seed}/${m.mutation} (${o.kind}): ${o.message}`)
  }
  console.log(`[fuzz-config] ${CASES} in-process: ${JSON.stringify(kinds)}`)
  expect(bugs).toEqual([])
  expect(kinds.problems ?? 0).toBeGreaterThan(CASES / 2)
  expect(snapshot(proj.dir)).toEqual(before)
}, 120_000)

/**
 * "✗ devrig.toml: N problems" followed by N lines `devrig.toml:LINE:COL: …`. A message that only
 * names the file (or a count that does not match the located lines) is not located.
 */
function locatedOnly(stderr: string): boolean {
  const header = /^✗ devrig\.toml: (\d+) problems?$/m.exec(stderr)
  const located = stderr.split("\n").filter((l) => /^devrig\.toml:\d+:\d+: \S/.test(l))
  return !!header && Number(header[1]) > 0 && located.length === Number(header[1])
}

test(`a sample of ${SPAWNED} mutated configs through the binary: exit 0 or 1, located, no stack trace, nothing written`, async () => {
  const r = rng(SEED + 1)
  const failures: string[] = []
  const exits: Record<number, number> = {}
  for (let i = 0; i < SPAWNED; i++) {
    const m = mutate(r)
    const proj = tempProject(m.text, { "services/api/.keep": "", "apps/web/.keep": "", "services/worker/.keep": "" })
    const before = snapshot(proj.dir)
    const res = await devrig(["validate"], { cwd: proj.dir })
    exits[res.exitCode] = (exits[res.exitCode] ?? 0) + 1
    const out = res.stdout + res.stderr
    const why =
      res.exitCode !== 0 && res.exitCode !== 1
        ? `exit ${res.exitCode}`
        : hasStackTrace(out)
          ? "stack trace"
          : // every problem line is `devrig.toml:LINE:COL: …`: naming the file alone is not a location
            res.exitCode === 1 && !locatedOnly(res.stderr)
            ? "message not located (devrig.toml:LINE:COL)"
            : JSON.stringify(snapshot(proj.dir)) !== JSON.stringify(before)
              ? "files changed"
              : undefined
    if (why) failures.push(`${m.seed}/${m.mutation}: ${why}\n${res.stderr.slice(0, 400)}`)
  }
  console.log(`[fuzz-config] ${SPAWNED} spawned: exits ${JSON.stringify(exits)}`)
  expect(failures).toEqual([])
}, 120_000)

test("the located check wants devrig.toml:LINE:COL on every problem, not the file name alone", () => {
  expect(locatedOnly("✗ devrig.toml: 1 problem\ndevrig.toml:4:1: `services.a.command` must be a string\n   4 | command=1\n")).toBe(true)
  expect(locatedOnly("✗ devrig.toml is invalid: unexpected end of input\n")).toBe(false)
  expect(locatedOnly("✗ devrig.toml: 2 problems\ndevrig.toml:4:1: first\ndevrig.toml: second, without a place\n")).toBe(false)
})
