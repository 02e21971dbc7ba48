// --version, --help, <command> --help, and colour: on for a terminal, off for pipes, --no-color and NO_COLOR.
import { describe, expect, test } from "bun:test"
import pkg from "../../../package.json" with { type: "json" }
import { ANSI, devrig, devrigTty, tempProject } from "../../helpers/cli.ts"

describe("version and help", () => {
  test("--version and -V print the package version, the commit, the OS and the architecture", async () => {
    const expected = new RegExp(`^devrig ${pkg.version.replace(/\./g, "\\.")} \\(commit [0-9a-f]{12}(-dirty)?, ${process.platform}-${process.arch}\\)\n$`)
    for (const args of [["--version"], ["-V"], ["--no-color", "--version"]]) {
      const r = await devrig(args)
      expect(r.exitCode).toBe(0)
      expect(r.stderr).toBe("")
      expect(r.stdout).toMatch(expected)
    }
  })

  test("--help, -h, help and no arguments list the commands and global options", async () => {
    const outputs = await Promise.all([["--help"], ["-h"], ["help"], []].map((a) => devrig(a)))
    for (const r of outputs) {
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toContain("Usage: devrig [-f FILE]")
      expect(r.stdout).toMatch(/^ {2}validate +Check devrig.toml/m)
      expect(r.stdout).toMatch(/^ {2}init +Write a starter devrig.toml/m)
      expect(r.stdout).toContain("-f, --file FILE")
      expect(r.stdout).toContain("--no-color")
    }
    expect(new Set(outputs.map((r) => r.stdout)).size).toBe(1)
  })

  test("<command> --help shows that command's options and runs nothing", async () => {
    const p = tempProject()
    const v = await devrig(["validate", "--help"], { cwd: p.dir })
    expect(v.exitCode).toBe(0)
    expect(v.stdout).toContain("--show-secrets")
    expect(v.stdout).toContain("--json")
    const i = await devrig(["init", "-h"], { cwd: p.dir })
    expect(i.exitCode).toBe(0)
    expect(i.stdout).toContain("--force")
    expect(i.stdout).toContain("--yes")
    expect(await Bun.file(`${p.dir}/devrig.toml`).exists()).toBe(false)
  })
})

describe("colour", () => {
  const VALID = `[project]\nname = "colour"\n\n[services.api]\ncommand = "x"\n`

  test("a terminal gets colour (the control for the tests below)", async () => {
    const p = tempProject(VALID)
    const r = await devrigTty(["validate"], { cwd: p.dir, env: { NO_COLOR: undefined } })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(ANSI)
  })

  test("--no-color on a terminal: no ANSI codes, in output, errors and help", async () => {
    const p = tempProject(VALID)
    for (const args of [["--no-color", "validate"], ["--no-color", "--help"], ["validate", "--help", "--no-color"], ["--no-color", "nope"]]) {
      const r = await devrigTty(args, { cwd: p.dir, env: { NO_COLOR: undefined } })
      expect(r.stdout).not.toMatch(ANSI)
      expect(r.stdout.length).toBeGreaterThan(0)
    }
  })

  test("NO_COLOR=1 on a terminal: no ANSI codes", async () => {
    const p = tempProject(VALID)
    for (const args of [["validate"], ["init", "--help"], ["valdate"]]) {
      const r = await devrigTty(args, { cwd: p.dir, env: { NO_COLOR: "1" } })
      expect(r.stdout).not.toMatch(ANSI)
      expect(r.stdout.length).toBeGreaterThan(0)
    }
  })

  test("a pipe gets no colour, help included", async () => {
    const p = tempProject(VALID)
    for (const args of [["validate"], ["validate", "--help"], ["--help"]]) {
      const r = await devrig(args, { cwd: p.dir, env: { NO_COLOR: undefined } })
      expect(r.stdout + r.stderr).not.toMatch(ANSI)
    }
  })
})
