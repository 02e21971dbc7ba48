// Bad command lines: unknown flags and commands, bad durations and timestamps, unknown services.
// Each is exit 1 with one clear "✗ …" line naming what was wrong — never exit 3, never a stack
// trace — listed cases first, then seeded random combinations.
import { expect, test } from "bun:test"
import { devrig, hasStackTrace, tempProject } from "../../helpers/cli.ts"
import { rng } from "./otlp-cases.ts"

const TOML = `[project]\nname = "argfz"\n\n[services.api]\ncommand = "sleep 600"\n\n[docker.db]\nimage = "devrig-test/busybox:latest"\n`

// [argv, text the first line must contain]
const CASES: [string[], string | RegExp][] = [
  [["start", "--bogus"], "unknown option `--bogus`"],
  [["ps", "--nope"], "unknown option `--nope`"],
  [["stop", "-z"], "unknown option `-z`"],
  [["logs", "--since", "5x"], /invalid (--since|duration)/],
  [["logs", "--since", "yesterday"], /invalid (--since|duration)/],
  [["logs", "--since", "2026-13-45T99:00:00Z"], "--since"],
  [["logs", "--tail", "-3"], "--tail"],
  [["logs", "--tail", "many"], "--tail"],
  [["logs", "--grep", "("], "--grep"],
  [["logs", "nosuch"], "unknown component `nosuch`"],
  [["stop", "nosuch"], "unknown service `nosuch`"],
  [["restart", "nosuch"], "nosuch"],
  [["env", "nosuch"], "nosuch"],
  [["start", "nosuch"], "nosuch"],
  [["nonexistentcmd"], "unknown command `nonexistentcmd`"],
  [["strat"], "did you mean `start`"],
  [["query", "traces", "--min-duration", "fast"], /invalid|duration/],
  [["query", "traces", "--from", "not-a-time"], /--from|time/],
  [["query", "traces", "--limit", "-1"], "limit"],
  [["query", "traces", "--status", "maybe"], "status"],
  [["query", "logs", "--since", "10 parsecs"], /since|duration/],
  [["query", "trace", "xyz"], /trace id/],
  [["query", "nosuchkind"], "unknown subcommand"],
  [["query", "traces", "--format", "xml"], "format"],
  [["validate", "--json", "--bogus"], "unknown option `--bogus`"],
  [["-f"], "`-f` needs a file name"],
  [["-f", "missing.toml", "validate"], "Config file not found"],
  // a value on a switch and a word for a command that takes none used to be ignored (exit 0)
  [["ps", "--json=maybe"], "`--json` takes no value"],
  [["ps", "nosuch-service"], "unexpected argument `nosuch-service`"],
  [["validate", "extra"], "unexpected argument `extra`"],
]

/** The first message line: "✗ …", no stack frames anywhere, exit 1. */
function check(argv: string[], r: { exitCode: number; stdout: string; stderr: string }, want?: string | RegExp): string | undefined {
  const first = r.stderr.split("\n")[0] ?? ""
  if (r.exitCode !== 1) return `exit ${r.exitCode}: ${r.stderr.slice(0, 300)}`
  if (hasStackTrace(r.stderr + r.stdout)) return `stack trace: ${r.stderr.slice(0, 300)}`
  if (!first.startsWith("✗ ")) return `first line is not a clear error: ${JSON.stringify(first)}`
  if (want && !(typeof want === "string" ? first.includes(want) : want.test(first))) return `first line ${JSON.stringify(first)} does not mention ${want}`
  return undefined
}

test("listed bad arguments: exit 1 with a clear first line", async () => {
  const p = tempProject(TOML)
  const failures: string[] = []
  await Promise.all(
    CASES.map(async ([argv, want]) => {
      const why = check(argv, await devrig(argv, { cwd: p.dir }), want)
      if (why) failures.push(`devrig ${argv.join(" ")} → ${why}`)
    }),
  )
  expect(failures).toEqual([])
}, 60_000)

// no `start`: a random line that happened to be valid would run a supervisor in the foreground
const COMMANDS = ["stop", "ps", "logs", "env", "validate", "query traces", "query logs", "query metrics", "restart", "delete"]
const FLAGS = ["--since", "--tail", "--grep", "--limit", "--min-duration", "--from", "--to", "--around", "--window", "--level", "--format", "--zzz", "-q", "-x", "--json=maybe"]
const VALUES = ["", "-1", "1e99", "5parsecs", "2026-02-30T25:61:00Z", "((", "\u0001", "NaN", "∞", "--", "nosuch", "1h1h", "../../etc/passwd", "x".repeat(2000)]

/**
 * What each fuzzed command accepts (from its --help): flags that take a value, switches, and
 * whether it takes words (services) at all. Kept here, not read from the code, so a command that
 * silently ignores what it does not know is caught.
 */
const ACCEPTS: Record<string, { values: string[]; switches: string[]; words: boolean }> = {
  stop: { values: [], switches: [], words: true },
  ps: { values: [], switches: ["--all", "-a", "--json", "--watch", "-w"], words: false },
  logs: { values: ["--since", "--since-restart", "--grep", "--level", "--output", "-o", "--tail"], switches: ["--follow", "--json", "--since-reload"], words: true },
  env: { values: [], switches: ["--export", "--show-secrets"], words: true },
  validate: { values: [], switches: ["--quiet", "-q", "--json", "--show-secrets"], words: false },
  restart: { values: [], switches: [], words: true },
  delete: { values: [], switches: [], words: false },
}

/** Why an argv that exited 0 should not have: an unknown flag, a value on a switch, a stray word. */
function checkAccepted(argv: string[], r: { stdout: string; stderr: string }): string | undefined {
  if (hasStackTrace(r.stderr + r.stdout)) return `exit 0 with a stack trace: ${r.stderr.slice(0, 300)}`
  if (/✗/.test(r.stderr)) return `exit 0 after an error line: ${r.stderr.slice(0, 300)}`
  const spec = ACCEPTS[argv[0]!]
  if (!spec) return `exit 0 for \`${argv.slice(0, 2).join(" ")}\`, which needs a running devrig that no test started`
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!
    if (a === "--") break
    if (a.startsWith("-") && !/^-\d/.test(a)) {
      const [flag, value] = [a.split("=")[0]!, a.includes("=") ? a.slice(a.indexOf("=") + 1) : undefined]
      if (spec.switches.includes(flag)) {
        if (value !== undefined && value !== "true" && value !== "false") return `exit 0 although switch ${flag} got a value (${JSON.stringify(value)})`
      } else if (spec.values.includes(flag)) {
        if (value === undefined && argv[i + 1] !== undefined && (!argv[i + 1]!.startsWith("-") || /^-\d/.test(argv[i + 1]!))) i++
      } else return `exit 0 although ${flag} is not an option of devrig ${argv[0]}`
    } else if (!spec.words) return `exit 0 although devrig ${argv[0]} takes no argument (got ${JSON.stringify(a.slice(0, 40))})`
    else if (a !== "api" && a !== "db") return `exit 0 for an unknown component ${JSON.stringify(a.slice(0, 40))}`
  }
  return undefined
}

test("seeded random bad command lines never give exit 3 or a stack trace", async () => {
  const p = tempProject(TOML)
  const r = rng(Number(process.env.DEVRIG_FUZZ_SEED ?? 20261122))
  const lines: string[][] = []
  for (let i = 0; i < 60; i++) {
    const argv = r.pick(COMMANDS).split(" ")
    const n = 1 + r.int(3)
    for (let j = 0; j < n; j++) {
      const f = r.pick(FLAGS)
      argv.push(f)
      if (!f.includes("=") && r.next() < 0.8) argv.push(r.pick(VALUES))
    }
    if (r.next() < 0.3) argv.push("nosuch-service")
    lines.push(argv)
  }
  const failures: string[] = []
  const exits: Record<number, number> = {}
  for (let i = 0; i < lines.length; i += 6) {
    await Promise.all(
      lines.slice(i, i + 6).map(async (argv) => {
        const res = await devrig(argv, { cwd: p.dir })
        exits[res.exitCode] = (exits[res.exitCode] ?? 0) + 1
        // a random line may be valid (exit 0); then it must be one a user could mean: every flag
        // known to the command, switches without values, no stray words, no error printed
        const why = res.exitCode === 0 ? checkAccepted(argv, res) : check(argv, res)
        if (why) failures.push(`devrig ${argv.map((a) => JSON.stringify(a)).join(" ")} → ${why}`)
      }),
    )
  }
  console.log(`[fuzz-cli] exits ${JSON.stringify(exits)}`)
  expect(failures).toEqual([])
}, 90_000)
