// `devrig validate --json` answers in JSON whether the file is valid or not, and template
// references the config cannot provide say why, naming the key, at file:line:col.
import { describe, expect, test } from "bun:test"
import { devrig, tempProject } from "../../helpers/cli.ts"

describe("validate --json", () => {
  test("an invalid file: every problem as JSON on stdout (file, line, col, key, message, hint), exit 1", async () => {
    const p = tempProject(`[project]\nname = "vj"\n\n[services.api]\ncommand = "x"\nprot = 3000\ndepends_on = ["db"]\n`)
    const r = await devrig(["validate", "--json"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toBe("")
    const file = `${p.dir}/devrig.toml`
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      file,
      problems: [
        { file, line: 6, col: 1, key: "services.api.prot", message: "unknown key `prot` in [services.api] (did you mean `port`?)", hint: "did you mean `port`?" },
        { file, line: 7, col: 15, key: "services.api.depends_on[0]", message: "depends_on names unknown component `db`", hint: null },
      ],
    })
  })

  test("a TOML syntax error is a problem without a key", async () => {
    const p = tempProject(`[project]\nname = "vj"\n[services.api\n`)
    const r = await devrig(["validate", "--json"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.ok).toBe(false)
    expect(out.problems).toHaveLength(1)
    expect(out.problems[0]).toMatchObject({ line: 3, key: null, hint: null })
    expect(out.problems[0].message).toStartWith("invalid TOML: ")
  })

  test("a valid file: ok, the file and the resolved configuration, exit 0", async () => {
    const p = tempProject(`[project]\nname = "vj"\n\n[services.api]\ncommand = "x"\nport = 3000\n`)
    const r = await devrig(["validate", "--json"], { cwd: p.dir })
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe("")
    const out = JSON.parse(r.stdout)
    expect(out.ok).toBe(true)
    expect(out.file).toBe(`${p.dir}/devrig.toml`)
    expect(out.services.api).toMatchObject({ name: "api", port: 3000 })
  })

  test("no config at all stays a one-line error on stderr, exit 1", async () => {
    const r = await devrig(["validate", "--json"], { cwd: tempProject().dir })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain("No devrig.toml found")
  })
})

describe("template errors", () => {
  const TOML = `[project]\nname = "tpl"\n\n[services.web]\ncommand = "x"\nport = 3000\n\n[services.api]\ncommand = "y"\n\n[services.api.env]\nUPSTREAM = "http://localhost:{{ services.wbe.port }}"\nSELF = "{{ services.api.port }}"\n`

  test("a component that does not exist is named, with a suggestion and the key, at file:line:col", async () => {
    const p = tempProject(TOML)
    const r = await devrig(["validate"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain("devrig.toml:12:1: UPSTREAM: unknown template reference {{ services.wbe.port }}: no component `wbe` exists (did you mean `web`?)")
    expect(r.stderr).toContain("devrig.toml:13:1: SELF: unknown template reference {{ services.api.port }}: [services.api] has no `port` to reference")
    expect(r.stderr).not.toContain("a component without a port")
  })

  test("the same problems in --json", async () => {
    const p = tempProject(TOML)
    const r = await devrig(["validate", "--json"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    const problems = JSON.parse(r.stdout).problems
    expect(problems.map((x: { line: number; col: number; key: string; hint: string | null }) => [x.line, x.col, x.key, x.hint])).toEqual([
      [12, 1, "services.api.env.UPSTREAM", "did you mean `web`?"],
      [13, 1, "services.api.env.SELF", null],
    ])
  })
})
