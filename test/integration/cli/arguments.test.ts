// Every command's --help, an unknown option, a missing option value, a stray word and a missing
// sub-command: each is one clear line and the right exit code, never a silent no-op.
import { describe, expect, test } from "bun:test"
import { COMMANDS } from "../../../src/cli/commands.ts"
import { devrig, hasStackTrace, tempProject, type RunResult } from "../../helpers/cli.ts"

const TOML = `[project]\nname = "args"\n\n[services.api]\ncommand = "sleep 60"\n\n[docker.box]\nimage = "devrig-test/busybox:latest"\n`

/** Commands whose arguments belong to another program (kubectl's own --help needs a cluster). */
const PASSTHROUGH = new Set(["kubectl"])

describe("every command", () => {
  test("--help: its usage on stdout, nothing on stderr, exit 0", async () => {
    const cwd = tempProject(TOML).dir
    const names = [...Object.keys(COMMANDS), "completions"].filter((n) => !PASSTHROUGH.has(n))
    const runs = await Promise.all(names.map((n) => devrig([n, "--help"], { cwd })))
    runs.forEach((r, i) => {
      expect({ cmd: names[i], exitCode: r.exitCode, stderr: r.stderr, usage: r.stdout.includes("devrig") }).toEqual({ cmd: names[i], exitCode: 0, stderr: "", usage: true })
    })
  })

  test("an unknown option: one line naming it, exit 1", async () => {
    const cwd = tempProject(TOML).dir
    const names = [...Object.keys(COMMANDS), "completions"].filter((n) => !PASSTHROUGH.has(n))
    const runs = await Promise.all(names.map((n) => devrig([n, "--bogus"], { cwd })))
    runs.forEach((r, i) => {
      expect({ cmd: names[i], exitCode: r.exitCode, stdout: r.stdout, trace: hasStackTrace(r.stderr) }).toEqual({ cmd: names[i], exitCode: 1, stdout: "", trace: false })
      expect(r.stderr.split("\n")[0]).toContain("unknown option `--bogus`")
    })
  })
})

test("`devrig help <command>` is `devrig <command> --help`", async () => {
  const cwd = tempProject(TOML).dir
  const [help, flag] = await Promise.all([devrig(["help", "ps"], { cwd }), devrig(["ps", "--help"], { cwd })])
  expect(help.exitCode).toBe(0)
  expect(help.stdout).toContain("--prune")
  expect(help.stdout).toBe(flag!.stdout)
})

describe("input errors that used to pass silently", () => {
  const cases: [string[], string][] = [
    [["query"], "✗ `devrig query` needs a sub-command: traces, trace, related, metrics, logs, status"],
    [["cluster"], "✗ `devrig cluster` needs a sub-command: create, delete, kubeconfig"],
    [["logs", "--grep"], "✗ `--grep` needs a value"],
    [["logs", "--since", "--json"], "✗ `--since` needs a value"],
    [["logs", "--tail"], "✗ `--tail` needs a value"],
    [["eject", "-o"], "✗ `-o` needs a value"],
    [["query", "traces", "--limit"], "✗ `--limit` needs a value"],
    [["ps", "api"], "✗ unexpected argument `api` for devrig ps"],
    [["validate", "devrig.toml"], "✗ unexpected argument `devrig.toml` for devrig validate"],
    [["completions", "bash", "extra"], "✗ unexpected argument `extra` for devrig completions bash"],
    [["--bogus"], "✗ unknown option `--bogus`"],
    [["-x", "ps"], "✗ unknown option `-x`"],
  ]
  for (const [args, line] of cases)
    test(`devrig ${args.join(" ")}`, async () => {
      const r = await devrig(args, { cwd: tempProject(TOML).dir })
      expect(r.exitCode).toBe(1)
      expect(r.stdout).toBe("")
      expect(r.stderr.split("\n")[0]).toBe(line)
      expect(hasStackTrace(r.stderr)).toBe(false)
    })

  test("a value that looks like an option is still a value (`--grep -x`, `--grep=--y`)", async () => {
    const p = tempProject(TOML, { ".devrig/logs/api.log": `${JSON.stringify({ t: "2026-01-01T00:00:00.000Z", s: "out", m: "a -x b" })}\n${JSON.stringify({ t: "2026-01-01T00:00:01.000Z", s: "out", m: "--y" })}\n` })
    const dash = await devrig(["logs", "--grep", "-x", "--json"], { cwd: p.dir })
    expect(dash.exitCode).toBe(0)
    expect(dash.stdout.trim().split("\n").map((l) => JSON.parse(l).line)).toEqual(["a -x b"])
    const eq = await devrig(["logs", "--grep=--y", "--json"], { cwd: p.dir })
    expect(eq.stdout.trim().split("\n").map((l) => JSON.parse(l).line)).toEqual(["--y"])
  })
})

describe("--json variants answer in JSON", () => {
  test("ps, ps --all, validate, logs", async () => {
    const p = tempProject(TOML, { ".devrig/logs/api.log": `${JSON.stringify({ t: "2026-01-01T00:00:00.000Z", s: "out", m: "hello" })}\n` })
    const runs = await Promise.all([["ps", "--json"], ["ps", "--all", "--json"], ["validate", "--json"], ["logs", "--json"]].map((a) => devrig(a, { cwd: p.dir })))
    const [ps, all, validate, logs] = runs as [RunResult, RunResult, RunResult, RunResult]
    for (const r of [ps, all, validate]) {
      expect(r.exitCode).toBe(0)
      expect(() => JSON.parse(r.stdout)).not.toThrow()
    }
    expect(JSON.parse(ps.stdout).running).toBe(false)
    expect(Array.isArray(JSON.parse(all.stdout))).toBe(true)
    expect(JSON.parse(validate.stdout).ok).toBe(true)
    expect(logs.exitCode).toBe(0)
    expect(JSON.parse(logs.stdout.trim())).toEqual({ time: "2026-01-01T00:00:00.000Z", name: "api", stream: "out", line: "hello" })
  })
})
