// `devrig eject -o FILE` never overwrites a file the user has without --force; devrig's own
// .devrig/compose.yaml is rewritten freely.
import { describe, expect, test } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { devrig, tempProject } from "../../helpers/cli.ts"

const TOML = `[project]\nname = "ejectf"\n\n[docker.box]\nimage = "devrig-test/busybox:latest"\nport = 18080\ncontainer_port = 80\n`

describe("eject -o", () => {
  test("an existing file is refused without --force: one line, exit 1, the file untouched", async () => {
    const p = tempProject(TOML, { "docker-compose.yml": "# mine\n" })
    const r = await devrig(["eject", "-o", "docker-compose.yml"], { cwd: p.dir })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toBe("✗ docker-compose.yml already exists: pass --force to overwrite it\n")
    expect(readFileSync(join(p.dir, "docker-compose.yml"), "utf8")).toBe("# mine\n")
  })

  test("--force overwrites it", async () => {
    const p = tempProject(TOML, { "docker-compose.yml": "# mine\n" })
    const r = await devrig(["eject", "-o", "docker-compose.yml", "--force"], { cwd: p.dir })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("wrote docker-compose.yml (1 container)")
    const text = readFileSync(join(p.dir, "docker-compose.yml"), "utf8")
    expect(text).not.toContain("# mine")
    expect(text).toContain("devrig-test/busybox:latest")
  })

  test("a new file is written; the default .devrig/compose.yaml is rewritten without --force", async () => {
    const p = tempProject(TOML)
    const fresh = await devrig(["eject", "--output", "out/compose.yaml"], { cwd: p.dir })
    expect(fresh.exitCode).toBe(0)
    expect(existsSync(join(p.dir, "out", "compose.yaml"))).toBe(true)
    for (let i = 0; i < 2; i++) {
      const r = await devrig(["eject"], { cwd: p.dir })
      expect(r.exitCode).toBe(0)
    }
    expect(existsSync(join(p.dir, ".devrig", "compose.yaml"))).toBe(true)
  })
})
