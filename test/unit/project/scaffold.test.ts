// `devrig init`'s discovery of services in subfolders and the starter config it writes.
import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { inspectConfig } from "../../../src/config/load.ts"
import { discoverServices, starterConfig } from "../../../src/project/scaffold.ts"
import { tempProject } from "../../helpers/cli.ts"

describe("discoverServices", () => {
  test("finds package.json, Cargo.toml, go.mod and pyproject.toml one and two levels down", () => {
    const p = tempProject(undefined, {
      "apps/web/package.json": JSON.stringify({ scripts: { dev: "vite" } }),
      "apps/web/pnpm-lock.yaml": "",
      "services/api/Cargo.toml": "[package]\n",
      "worker/go.mod": "module worker\n",
      "ml/pyproject.toml": "[project]\n",
      "docs/README.md": "",
    })
    expect(discoverServices(p.dir)).toEqual([
      { name: "web", path: "./apps/web", command: "pnpm run dev" },
      { name: "ml", path: "./ml", command: "python3 -m app" },
      { name: "api", path: "./services/api", command: "cargo watch -x run" },
      { name: "worker", path: "./worker", command: "go run ." },
    ])
  })

  test("skips node_modules, target, dotfolders and does not descend into a found project", () => {
    const p = tempProject(undefined, {
      "node_modules/x/package.json": "{}",
      "target/debug/Cargo.toml": "",
      ".hidden/go.mod": "",
      "app/package.json": "{}",
      "app/packages/inner/package.json": "{}",
    })
    expect(discoverServices(p.dir).map((s) => s.path)).toEqual(["./app"])
  })

  test("same folder names get unique, config-safe service names", () => {
    const p = tempProject(undefined, { "a/API Server/go.mod": "", "b/API Server/go.mod": "" })
    expect(discoverServices(p.dir).map((s) => s.name)).toEqual(["api-server", "api-server-2"])
  })

  test("an empty project proposes nothing", () => {
    expect(discoverServices(tempProject().dir)).toEqual([])
  })
})

describe("starterConfig", () => {
  test("with proposals: one block per service, and it validates", () => {
    const text = starterConfig("shop", [
      { name: "web", path: "./web", command: "npm run dev" },
      { name: "api", path: "./api", command: "go run ." },
    ])
    expect(text).toContain('[services.web]\npath = "./web"\ncommand = "npm run dev"\nport = "auto"')
    const p = tempProject(text)
    expect(inspectConfig(join(p.dir, "devrig.toml")).problems).toEqual([])
  })

  test("without proposals: a commented example, and it validates", () => {
    const text = starterConfig("empty", [])
    expect(text).toContain("# [services.api]")
    expect(text).not.toMatch(/^\[services\./m)
    const p = tempProject(text)
    expect(inspectConfig(join(p.dir, "devrig.toml")).problems).toEqual([])
  })
})
