// Discovery, TOML parsing and the formatted error: the first steps of loading devrig.toml.
import { describe, expect, test } from "bun:test"
import { mkdirSync, symlinkSync } from "node:fs"
import { join } from "node:path"
import { findConfigFile, loadConfig, loadProject } from "../../../src/config/load.ts"
import { ConfigError } from "../../../src/config/problems.ts"
import { InputError } from "../../../src/errors.ts"
import { tempProject } from "../../helpers/cli.ts"
import { inspect, MINIMAL } from "./helpers.ts"

describe("findConfigFile", () => {
  test("finds devrig.toml in the working directory", () => {
    const p = tempProject(MINIMAL)
    expect(findConfigFile({ cwd: p.dir })).toBe(join(p.dir, "devrig.toml"))
  })

  test("walks up from a nested subdirectory", () => {
    const p = tempProject(MINIMAL)
    const deep = join(p.dir, "services", "api", "src")
    mkdirSync(deep, { recursive: true })
    expect(findConfigFile({ cwd: deep })).toBe(join(p.dir, "devrig.toml"))
  })

  test("the nearest devrig.toml wins", () => {
    const p = tempProject(MINIMAL)
    const inner = p.write("sub/devrig.toml", MINIMAL)
    mkdirSync(join(p.dir, "sub", "deeper"))
    expect(findConfigFile({ cwd: join(p.dir, "sub", "deeper") })).toBe(inner)
  })

  test("-f is resolved against the working directory", () => {
    const p = tempProject(undefined, { "conf/devrig.minimal.toml": MINIMAL })
    expect(findConfigFile({ cwd: p.dir, file: "conf/devrig.minimal.toml" })).toBe(join(p.dir, "conf", "devrig.minimal.toml"))
    expect(findConfigFile({ cwd: "/", file: join(p.dir, "conf", "devrig.minimal.toml") })).toBe(join(p.dir, "conf", "devrig.minimal.toml"))
  })

  test("-f naming a missing file is an input error", () => {
    const p = tempProject()
    expect(() => findConfigFile({ cwd: p.dir, file: "nope.toml" })).toThrow(new InputError(`Config file not found: ${join(p.dir, "nope.toml")}`))
  })

  test("-f naming a directory is an input error", () => {
    const p = tempProject()
    expect(() => findConfigFile({ cwd: p.dir, file: "." })).toThrow(/Config file is a directory/)
  })

  test("no devrig.toml anywhere up the tree: the PRD's message and a hint", () => {
    const p = tempProject()
    const err = (() => {
      try {
        findConfigFile({ cwd: p.dir })
      } catch (e) {
        return e as InputError
      }
    })()
    expect(err).toBeInstanceOf(InputError)
    expect(err!.message).toBe(`No devrig.toml found in ${p.dir} or any parent directory`)
    expect(err!.hint).toContain("devrig init")
    expect(err!.exitCode).toBe(1)
  })
})

describe("parsing", () => {
  test("a minimal config loads, with the project identity", () => {
    const { loaded, problems } = inspect(MINIMAL)
    expect(problems).toEqual([])
    expect(loaded!.config.project.name).toBe("demo")
    expect(loaded!.identity.slug).toMatch(/^demo-[0-9a-f]{8}$/)
  })

  test("a TOML syntax error is reported at its line and column", () => {
    const { problems, loaded } = inspect(`[project]\nname = "demo"\n\n[services.api]\ncommand = "run\nport = 1\n`)
    expect(loaded).toBeUndefined()
    expect(problems).toHaveLength(1)
    expect(problems[0]!.line).toBe(5)
    expect(problems[0]!.column).toBeGreaterThan(1)
    expect(problems[0]!.message).toStartWith("invalid TOML: ")
  })

  test("a table defined twice is a syntax error on the second header", () => {
    const { problems } = inspect(`[project]\nname = "a"\n\n[project]\nname = "b"\n`)
    expect(problems.map((p) => p.line)).toEqual([4])
    expect(problems[0]!.message).toContain("invalid TOML")
  })

  test("an empty file is missing [project]", () => {
    expect(inspect("").lines).toEqual(["1:1 the document is missing `project` (project metadata)"])
  })

  test("loadConfig throws a ConfigError that prints file:line:col, the line and a caret", () => {
    const p = tempProject(`[project]\nname = "demo"\n\n[services.api]\ncomand = "x"\n`)
    let err: ConfigError | undefined
    try {
      loadConfig({ cwd: p.dir })
    } catch (e) {
      err = e as ConfigError
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect(err!.exitCode).toBe(1)
    expect(err!.message).toBe("devrig.toml: 2 problems")
    expect(err!.details[0]).toBe(
      ["devrig.toml:4:1: [services.api] needs a `command` (or `detect = true`)", "   4 | [services.api]", "     | ^"].join("\n"),
    )
    expect(err!.details[1]).toBe(
      ["devrig.toml:5:1: unknown key `comand` in [services.api] (did you mean `command`?)", "   5 | comand = \"x\"", "     | ^"].join("\n"),
    )
  })

  test("loadConfig names the -f file, not devrig.toml", () => {
    const p = tempProject(undefined, { "devrig.staging.toml": `[project]\nname = "Bad Name"\n` })
    expect(() => loadConfig({ cwd: p.dir, file: "devrig.staging.toml" })).toThrow("devrig.staging.toml: 1 problem")
  })

  test("loadProject resolves a valid config through a symlinked directory to the canonical root", async () => {
    const p = tempProject(`${MINIMAL}\n[services.api]\ncommand = "run"\npath = "./api"\n`)
    const link = join(tempProject().dir, "link")
    symlinkSync(p.dir, link)
    const { config } = await loadProject({ cwd: link })
    expect(config.identity.root).toBe(p.dir)
    expect(config.services.api!.cwd).toBe(join(p.dir, "api"))
  })
})
