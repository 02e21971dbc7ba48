// The exit-code contract: 0 success, 1 invalid input (config, command, flag, missing file).
// Every failure is one message (plus located details), never a stack trace.
import { describe, expect, test } from "bun:test"
import { devrig, hasStackTrace, tempProject } from "../../helpers/cli.ts"

const VALID = `[project]\nname = "codes"\n\n[services.api]\ncommand = "echo hi"\nport = 3000\n`

describe("exit codes", () => {
  test("0: a valid config", async () => {
    const p = tempProject(VALID)
    const r = await devrig(["validate"], { cwd: p.dir })
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe("")
    expect(r.stdout).toContain("✓ devrig.toml is valid: 1 service, 0 containers")
    expect(r.stdout).toContain("Start order")
  })

  test("1: an invalid config, every problem printed as file:line:col with the line and a caret", async () => {
    const p = tempProject(`[project]\nname = "codes"\n\n[services.api]\ncommand = "x"\nprot = 3000\ndepends_on = ["db"]\n`)
    const r = await devrig(["validate"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toBe(
      [
        "✗ devrig.toml: 2 problems",
        "devrig.toml:6:1: unknown key `prot` in [services.api] (did you mean `port`?)",
        "   6 | prot = 3000",
        "     | ^",
        "devrig.toml:7:15: depends_on names unknown component `db`",
        '   7 | depends_on = ["db"]',
        "     |               ^",
        "",
      ].join("\n"),
    )
  })

  test("1: a TOML syntax error", async () => {
    const p = tempProject(`[project]\nname = "codes"\n[services.api\n`)
    const r = await devrig(["validate"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/^devrig\.toml:3:\d+: invalid TOML: /m)
    expect(hasStackTrace(r.stderr)).toBe(false)
  })

  test("1: an unknown command, with a suggestion", async () => {
    const r = await devrig(["valdate"])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain("unknown command `valdate` (did you mean `validate`?)")
    expect(r.stderr).toContain("devrig --help")
  })

  test("1: an unknown flag, with a suggestion", async () => {
    const p = tempProject(VALID)
    const r = await devrig(["validate", "--quite"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain("unknown option `--quite` for devrig validate (did you mean `quiet`?)")
    expect(r.stdout).toBe("")
  })

  test("1: an unknown short flag", async () => {
    const p = tempProject(VALID)
    const r = await devrig(["validate", "-z"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain("unknown option `-z` for devrig validate")
  })

  test("1: a missing config", async () => {
    const p = tempProject()
    const r = await devrig(["validate"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain(`No devrig.toml found in ${p.dir} or any parent directory`)
  })

  test("no failure prints a stack trace, even with --verbose", async () => {
    const p = tempProject(`[project]\nname = "codes"\n[services.api]\ncommand = 1\n`)
    const empty = tempProject()
    const runs = await Promise.all([
      devrig(["validate", "--verbose"], { cwd: p.dir }),
      devrig(["--verbose", "nope"], { cwd: p.dir }),
      devrig(["--verbose", "validate"], { cwd: empty.dir }),
      devrig(["validate", "--json", "--bogus"], { cwd: p.dir }),
    ])
    for (const r of runs) {
      expect(r.exitCode).toBe(1)
      expect(hasStackTrace(r.stdout + r.stderr)).toBe(false)
      expect(r.stderr).toStartWith("✗ ")
    }
  })
})

describe("validate output", () => {
  test("--json prints the resolved model, masking env-file values unless --show-secrets", async () => {
    const p = tempProject(`[project]\nname = "codes"\n\n[services.api]\ncommand = "x"\nenv_file = "api.env"\nenv = { URL = "db://u:\${PASS}@h", PLAIN = "p" }\n`, {
      "api.env": "PASS=hunter2\n",
    })
    const masked = await devrig(["validate", "--json"], { cwd: p.dir })
    expect(masked.exitCode).toBe(0)
    const api = JSON.parse(masked.stdout).services.api
    expect(api.env).toEqual({ PASS: "****", URL: "****", PLAIN: "p" })
    expect(masked.stdout).not.toContain("hunter2")
    const shown = JSON.parse((await devrig(["validate", "--json", "--show-secrets"], { cwd: p.dir })).stdout).services.api
    expect(shown.env).toEqual({ PASS: "hunter2", URL: "db://u:hunter2@h", PLAIN: "p" })
  })

  test("the plan masks env-file values too", async () => {
    const p = tempProject(`[project]\nname = "codes"\nenv_file = ".env"\n\n[services.api]\ncommand = "x"\n`, { ".env": "TOKEN=t0p\n" })
    const r = await devrig(["validate"], { cwd: p.dir })
    expect(r.stdout).toContain("api: TOKEN=****")
    expect(r.stdout).not.toContain("t0p")
    expect((await devrig(["validate", "--show-secrets"], { cwd: p.dir })).stdout).toContain("api: TOKEN=t0p")
  })

  test("an undefined $VAR names the key", async () => {
    const p = tempProject(`[project]\nname = "codes"\n\n[services.api]\ncommand = "x"\nenv = { TOKEN = "$DEVRIG_CLI_TEST_UNDEFINED" }\n`)
    const r = await devrig(["validate"], { cwd: p.dir, env: { DEVRIG_CLI_TEST_UNDEFINED: undefined } })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain("devrig.toml:6:9: TOKEN: undefined variable $DEVRIG_CLI_TEST_UNDEFINED")
    const ok = await devrig(["validate", "--json"], { cwd: p.dir, env: { DEVRIG_CLI_TEST_UNDEFINED: "from-env" } })
    expect(JSON.parse(ok.stdout).services.api.env.TOKEN).toBe("from-env")
  })
})
