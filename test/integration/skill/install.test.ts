// `devrig skill install [--global]`: the skill embedded in the binary lands in .claude/skills/devrig/
// of the project (or of HOME), byte for byte, and a re-install says what it changed.
import { describe, expect, test } from "bun:test"
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BIN, ROOT, devrig, tempProject } from "../../helpers/cli.ts"

const TOML = `[project]\nname = "skill"\n\n[services.api]\ncommand = "sleep 60"\n`
const REPO = join(ROOT, "skill", "claude-code")
const FILES = ["SKILL.md", "devrig.sh"]

const skillDir = (base: string) => join(base, ".claude", "skills", "devrig")
const mode = (p: string) => statSync(p).mode & 0o777

function freshHome(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), "devrig-skill-home-")))
}

/** The installed files equal the repo's skill/claude-code (what the binary embedded at build time). */
function expectInstalled(dir: string): void {
  for (const f of FILES) expect(readFileSync(join(dir, f))).toEqual(readFileSync(join(REPO, f)))
  expect(mode(join(dir, "devrig.sh"))).toBe(0o755)
  expect(mode(join(dir, "SKILL.md"))).toBe(0o644)
}

describe("project install", () => {
  test("from a subdirectory: next to devrig.toml, files byte-equal, devrig.sh executable", async () => {
    const p = tempProject(TOML)
    const deep = join(p.dir, "src", "api")
    mkdirSync(deep, { recursive: true })
    const r = await devrig(["skill", "install"], { cwd: deep })
    expect(r.stderr).toBe("")
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(`✓ Claude Code skill installed in ${skillDir(p.dir)}\n  created   SKILL.md\n  created   devrig.sh\n`)
    expectInstalled(skillDir(p.dir))
    expect(existsSync(join(deep, ".claude"))).toBe(false)
  })

  test("without a devrig.toml: into the current directory", async () => {
    const p = tempProject()
    const r = await devrig(["skill", "install"], { cwd: p.dir })
    expect(r.exitCode).toBe(0)
    expectInstalled(skillDir(p.dir))
  })

  test("-f: next to that config", async () => {
    const p = tempProject(undefined, { "infra/devrig.dev.toml": TOML })
    const r = await devrig(["-f", "infra/devrig.dev.toml", "skill", "install"], { cwd: p.dir })
    expect(r.exitCode).toBe(0)
    expectInstalled(skillDir(join(p.dir, "infra")))
  })

  test("a second install changes nothing and says so", async () => {
    const p = tempProject(TOML)
    await devrig(["skill", "install"], { cwd: p.dir })
    const before = FILES.map((f) => statSync(join(skillDir(p.dir), f)).mtimeMs)
    await Bun.sleep(20)
    const r = await devrig(["skill", "install"], { cwd: p.dir })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(`✓ Claude Code skill in ${skillDir(p.dir)} is up to date\n  unchanged SKILL.md\n  unchanged devrig.sh\n`)
    expect(FILES.map((f) => statSync(join(skillDir(p.dir), f)).mtimeMs)).toEqual(before)
  })

  test("a modified file, or a lost executable bit, is reported updated and restored", async () => {
    const p = tempProject(TOML)
    const dir = skillDir(p.dir)
    await devrig(["skill", "install"], { cwd: p.dir })
    writeFileSync(join(dir, "SKILL.md"), "# my edits\n")
    const edited = await devrig(["skill", "install"], { cwd: p.dir })
    expect(edited.stdout).toBe(`✓ Claude Code skill installed in ${dir}\n  updated   SKILL.md\n  unchanged devrig.sh\n`)
    chmodSync(join(dir, "devrig.sh"), 0o644)
    const chmodded = await devrig(["skill", "install"], { cwd: p.dir })
    expect(chmodded.stdout).toBe(`✓ Claude Code skill installed in ${dir}\n  unchanged SKILL.md\n  updated   devrig.sh\n`)
    expectInstalled(dir)
  })
})

describe("--global", () => {
  test("into $HOME/.claude/skills/devrig, not the project; idempotent", async () => {
    const home = freshHome()
    const p = tempProject(TOML)
    const r = await devrig(["skill", "install", "--global"], { cwd: p.dir, env: { HOME: home } })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain(`installed in ${skillDir(home)}\n`)
    expectInstalled(skillDir(home))
    expect(existsSync(join(p.dir, ".claude"))).toBe(false)
    const again = await devrig(["skill", "install", "--global"], { cwd: p.dir, env: { HOME: home } })
    expect(again.stdout).toBe(`✓ Claude Code skill in ${skillDir(home)} is up to date\n  unchanged SKILL.md\n  unchanged devrig.sh\n`)
  })
})

describe("errors", () => {
  test("no sub-command, an unknown one, an unknown flag: exit 1", async () => {
    const cwd = tempProject().dir
    const none = await devrig(["skill"], { cwd })
    expect(none.exitCode).toBe(1)
    expect(none.stderr).toContain("devrig skill install [--global]")
    expect((await devrig(["skill", "uninstall"], { cwd })).exitCode).toBe(1)
    const flag = await devrig(["skill", "install", "--globl"], { cwd })
    expect(flag.exitCode).toBe(1)
    expect(flag.stderr).toContain("unknown option `--globl`")
    expect(existsSync(join(cwd, ".claude"))).toBe(false)
  })

  test("a target that cannot be written: exit 1 naming the directory, no stack trace", async () => {
    const p = tempProject(TOML, { ".claude": "a file, not a directory\n" })
    const r = await devrig(["skill", "install"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain(`cannot install the skill into ${skillDir(p.dir)}`)
    expect(r.stderr).not.toContain("    at ")
  })
})

describe("the helper script", () => {
  const run = async (args: string[], cwd: string) => {
    const proc = Bun.spawn(["sh", join(skillDir(cwd), "devrig.sh"), ...args], { cwd, env: { ...process.env, DEVRIG: BIN }, stdout: "pipe", stderr: "pipe" })
    const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    return { stdout, stderr, exitCode }
  }

  test("parses as POSIX sh and prints its usage", async () => {
    const p = tempProject(TOML)
    await devrig(["skill", "install"], { cwd: p.dir })
    const parse = Bun.spawnSync(["sh", "-n", join(skillDir(p.dir), "devrig.sh")])
    expect(parse.exitCode).toBe(0)
    const help = await run(["help"], p.dir)
    expect(help.exitCode).toBe(0)
    for (const cmd of ["errors [service]", "slow <service> [duration]", "trace <trace-id>", "status"]) expect(help.stdout).toContain(cmd)
    const none = await run([], p.dir)
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain("Usage: devrig.sh")
    const missing = await run(["slow"], p.dir)
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain("devrig.sh slow: missing <service>")
  })

  test("wraps devrig query: its errors and exit codes come through", async () => {
    const p = tempProject(TOML)
    await devrig(["skill", "install"], { cwd: p.dir })
    const badId = await run(["trace", "nope"], p.dir)
    expect(badId.exitCode).toBe(1)
    expect(badId.stderr).toContain('invalid trace id "nope"')
    const badDuration = await run(["slow", "api", "soon"], p.dir)
    expect(badDuration.exitCode).toBe(1)
    expect(badDuration.stderr).toContain('invalid --min-duration "soon"')
    const notRunning = await run(["status"], p.dir)
    expect(notRunning.exitCode).toBe(1)
    expect(notRunning.stderr).toContain("is not running")
  })
})

describe("SKILL.md is true to the CLI", () => {
  test("every `devrig …` command it names exists, with every --flag it uses", async () => {
    const text = readFileSync(join(REPO, "SKILL.md"), "utf8")
    const uses = new Map<string, Set<string>>()
    for (const [, span] of text.matchAll(/`(devrig [^`]+)`/g)) {
      const words = span!.split(/\s+/).slice(1)
      if (words[0] === "-f") words.splice(0, 2)
      const cmd = words[0]!
      if (["k", "kubectl", "exec"].includes(cmd)) continue // arguments belong to kubectl / the container
      const path = cmd === "query" || cmd === "skill" || cmd === "cluster" ? words.slice(0, 2).join(" ") : cmd
      const set = uses.get(path) ?? new Set<string>()
      for (const w of words) if (/^--[a-z]/.test(w)) set.add(w.split("=")[0]!)
      uses.set(path, set)
    }
    expect([...uses.keys()]).toEqual(expect.arrayContaining(["ps", "query status", "query traces", "query trace", "query related", "query metrics", "query logs", "logs", "env", "restart"]))
    const cwd = tempProject(TOML).dir
    for (const [path, flags] of uses) {
      const help = await devrig([...path.split(" "), "--help"], { cwd })
      expect({ path, exitCode: help.exitCode }).toEqual({ path, exitCode: 0 })
      for (const f of flags) expect({ path, flag: f, known: help.stdout.includes(f) }).toEqual({ path, flag: f, known: true })
    }
  })

  test("starts with the frontmatter Claude Code needs to discover the skill", () => {
    const text = readFileSync(join(REPO, "SKILL.md"), "utf8")
    const front = /^---\n([\s\S]*?)\n---\n/.exec(text)
    expect(front).not.toBeNull()
    expect(front![1]).toMatch(/^name: devrig$/m)
    expect(front![1]).toMatch(/^description: .{40,}/m)
  })
})
