// `detect = true` and `devrig init`: the dev command a folder's project files suggest.
import { describe, expect, test } from "bun:test"
import { detectCommand, packageManager, proposeCommand } from "../../../src/config/detect.ts"
import { tempProject } from "../../helpers/cli.ts"

const folder = (files: Record<string, string>) => tempProject(undefined, files).dir
const devScript = JSON.stringify({ scripts: { dev: "vite" } })

describe("detectCommand", () => {
  test("Cargo.toml → cargo watch", () => {
    expect(detectCommand(folder({ "Cargo.toml": "[package]\n" }))).toBe("cargo watch -x run")
  })

  test("package.json with a dev script, by lockfile", () => {
    expect(detectCommand(folder({ "package.json": devScript, "bun.lock": "" }))).toBe("bun run dev")
    expect(detectCommand(folder({ "package.json": devScript, "bun.lockb": "" }))).toBe("bun run dev")
    expect(detectCommand(folder({ "package.json": devScript, "pnpm-lock.yaml": "" }))).toBe("pnpm run dev")
    expect(detectCommand(folder({ "package.json": devScript, "yarn.lock": "" }))).toBe("yarn run dev")
    expect(detectCommand(folder({ "package.json": devScript, "package-lock.json": "{}" }))).toBe("npm run dev")
    expect(detectCommand(folder({ "package.json": devScript }))).toBe("npm run dev")
  })

  test("package.json without a dev script is not detected", () => {
    expect(detectCommand(folder({ "package.json": JSON.stringify({ scripts: { start: "node ." } }) }))).toBeUndefined()
  })

  test("go.mod → go run .", () => {
    expect(detectCommand(folder({ "go.mod": "module x\n" }))).toBe("go run .")
  })

  test("Cargo.toml wins over package.json", () => {
    expect(detectCommand(folder({ "Cargo.toml": "", "package.json": devScript }))).toBe("cargo watch -x run")
  })

  test("an empty folder, a broken package.json, a missing folder", () => {
    expect(detectCommand(folder({}))).toBeUndefined()
    expect(detectCommand(folder({ "package.json": "{ not json" }))).toBeUndefined()
    expect(detectCommand("/nonexistent/devrig/test/dir")).toBeUndefined()
  })
})

describe("proposeCommand (init)", () => {
  test("also proposes pyproject.toml and package.json without a dev script", () => {
    expect(proposeCommand(folder({ "pyproject.toml": "" }))).toEqual({ kind: "python", command: "python3 -m app" })
    expect(proposeCommand(folder({ "package.json": "{}", "yarn.lock": "" }))).toEqual({ kind: "node", command: "yarn run start" })
    expect(proposeCommand(folder({ "package.json": devScript }))).toEqual({ kind: "node", command: "npm run dev" })
    expect(proposeCommand(folder({ "go.mod": "" }))).toEqual({ kind: "go", command: "go run ." })
    expect(proposeCommand(folder({ "Cargo.toml": "" }))).toEqual({ kind: "cargo", command: "cargo watch -x run" })
    expect(proposeCommand(folder({}))).toBeUndefined()
  })
})

describe("packageManager", () => {
  test("bun.lock beats the others when several lockfiles exist", () => {
    expect(packageManager(folder({ "bun.lock": "", "yarn.lock": "", "pnpm-lock.yaml": "" }))).toBe("bun")
    expect(packageManager(folder({ "yarn.lock": "", "pnpm-lock.yaml": "" }))).toBe("pnpm")
  })
})
