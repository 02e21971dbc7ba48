// Finding the config: from the working directory up, or -f; and the errors when there is none.
import { describe, expect, test } from "bun:test"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { devrig, hasStackTrace, tempProject } from "../../helpers/cli.ts"

const TOML = `[project]\nname = "found"\n\n[services.api]\ncommand = "echo hi"\n`

describe("config discovery", () => {
  test("walks up from a nested subdirectory", async () => {
    const p = tempProject(TOML)
    const deep = join(p.dir, "services", "api", "src")
    mkdirSync(deep, { recursive: true })
    const r = await devrig(["validate", "-q"], { cwd: deep })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^✓ devrig\.toml is valid: 1 service, 0 containers \(project found-[0-9a-f]{8}\)\n$/)
  })

  test("the same project is found from every subdirectory (same slug)", async () => {
    const p = tempProject(TOML)
    mkdirSync(join(p.dir, "a", "b"), { recursive: true })
    const top = await devrig(["validate", "-q"], { cwd: p.dir })
    const nested = await devrig(["validate", "-q"], { cwd: join(p.dir, "a", "b") })
    expect(nested.stdout).toBe(top.stdout)
  })

  test("no devrig.toml anywhere: exit 1 with the PRD's message", async () => {
    const p = tempProject()
    const r = await devrig(["validate"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain(`No devrig.toml found in ${p.dir} or any parent directory`)
    expect(r.stderr).toContain("devrig init")
    expect(hasStackTrace(r.stderr)).toBe(false)
  })
})

describe("-f", () => {
  test("a relative path is taken from the working directory", async () => {
    const p = tempProject(undefined, { "configs/devrig.minimal.toml": `[project]\nname = "minimal"\n` })
    for (const args of [["-f", "configs/devrig.minimal.toml", "validate", "-q"], ["validate", "-q", "-f", "configs/devrig.minimal.toml"], ["--file=configs/devrig.minimal.toml", "validate", "-q"]]) {
      const r = await devrig(args, { cwd: p.dir })
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toStartWith("✓ devrig.minimal.toml is valid: 0 services, 0 containers (project minimal-")
    }
  })

  test("-f wins over a devrig.toml in the directory", async () => {
    const p = tempProject(`[project]\nname = "main"\n`, { "devrig.other.toml": `[project]\nname = "other"\n` })
    const r = await devrig(["-f", "devrig.other.toml", "validate", "-q"], { cwd: p.dir })
    expect(r.stdout).toContain("(project other-")
  })

  test("a missing file is exit 1 naming the path", async () => {
    const p = tempProject(TOML)
    const r = await devrig(["-f", "nope.toml", "validate"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain(`Config file not found: ${join(p.dir, "nope.toml")}`)
    expect(hasStackTrace(r.stderr)).toBe(false)
  })

  test("-f without a file name is exit 1", async () => {
    const p = tempProject(TOML)
    const r = await devrig(["validate", "-f"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain("`-f` needs a file name")
  })
})
