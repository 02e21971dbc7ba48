// `devrig init`: proposes services from subfolders, writes a config that validates, never clobbers.
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { devrig, tempProject } from "../../helpers/cli.ts"

describe("init", () => {
  test("init --yes then validate: the round trip succeeds", async () => {
    const p = tempProject()
    const init = await devrig(["init", "--yes"], { cwd: p.dir })
    expect(init.exitCode).toBe(0)
    expect(init.stdout).toContain(`wrote ${join(p.dir, "devrig.toml")}`)
    const v = await devrig(["validate"], { cwd: p.dir })
    expect(v.exitCode).toBe(0)
    expect(v.stdout).toContain("devrig.toml is valid: 0 services, 0 containers")
  })

  test("the project name defaults to the folder name, made config-safe; --name overrides", async () => {
    const p = tempProject()
    await devrig(["init", "-y"], { cwd: p.dir })
    const base = p.dir.split("/").pop()!.toLowerCase()
    expect(readFileSync(join(p.dir, "devrig.toml"), "utf8")).toContain(`name = "${base}"`)
    const q = tempProject()
    await devrig(["init", "--yes", "--name", "shop"], { cwd: q.dir })
    expect((await devrig(["validate", "-q"], { cwd: q.dir })).stdout).toContain("(project shop-")
  })

  test("proposes services for package.json, Cargo.toml, go.mod and pyproject.toml subfolders", async () => {
    const p = tempProject(undefined, {
      "apps/web/package.json": JSON.stringify({ scripts: { dev: "vite" } }),
      "apps/web/bun.lock": "",
      "services/api/Cargo.toml": "[package]\nname = \"api\"\n",
      "worker/go.mod": "module worker\n",
      "ml/pyproject.toml": "[project]\nname = \"ml\"\n",
      "node_modules/left-pad/package.json": "{}",
    })
    const init = await devrig(["init", "--yes"], { cwd: p.dir })
    expect(init.exitCode).toBe(0)
    expect(init.stdout).toContain("with 4 services")
    const text = readFileSync(join(p.dir, "devrig.toml"), "utf8")
    expect(text).toContain('[services.web]\npath = "./apps/web"\ncommand = "bun run dev"')
    expect(text).toContain('[services.api]\npath = "./services/api"\ncommand = "cargo watch -x run"')
    expect(text).toContain('[services.worker]\npath = "./worker"\ncommand = "go run ."')
    expect(text).toContain('[services.ml]\npath = "./ml"\ncommand = "python3 -m app"')
    expect(text).not.toContain("left-pad")
    const v = await devrig(["validate", "-q"], { cwd: p.dir })
    expect(v.exitCode).toBe(0)
    expect(v.stdout).toContain("4 services")
  })

  test("refuses to overwrite without --force; --force overwrites", async () => {
    const p = tempProject(`[project]\nname = "keep"\n`)
    const refused = await devrig(["init", "--yes"], { cwd: p.dir })
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain("devrig.toml already exists")
    expect(refused.stderr).toContain("--force")
    expect(readFileSync(join(p.dir, "devrig.toml"), "utf8")).toBe(`[project]\nname = "keep"\n`)
    const forced = await devrig(["init", "--yes", "--force", "--name", "fresh"], { cwd: p.dir })
    expect(forced.exitCode).toBe(0)
    expect(readFileSync(join(p.dir, "devrig.toml"), "utf8")).toContain('name = "fresh"')
  })

  test("init -f writes the named file", async () => {
    const p = tempProject()
    const r = await devrig(["-f", "devrig.minimal.toml", "init", "--yes"], { cwd: p.dir })
    expect(r.exitCode).toBe(0)
    expect((await devrig(["-f", "devrig.minimal.toml", "validate", "-q"], { cwd: p.dir })).exitCode).toBe(0)
  })

  test("without a terminal, init does not prompt (stdin is not read)", async () => {
    const p = tempProject(undefined, { "api/go.mod": "module api\n" })
    const r = await devrig(["init"], { cwd: p.dir, stdin: "" })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("with 1 service")
  })
})
