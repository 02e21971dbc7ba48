/**
 * Service auto-detection (`detect = true`): the usual dev command for the project in a folder.
 * Explicit `command` always wins; `devrig validate` shows what was detected.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"

export type ProjectKind = "cargo" | "node" | "go" | "python"

/** The dev command for a folder, or undefined when nothing is recognised. */
export function detectCommand(dir: string): string | undefined {
  if (existsSync(join(dir, "Cargo.toml"))) return "cargo watch -x run"
  const pkg = readPackageJson(dir)
  if (pkg?.scripts?.dev) return `${packageManager(dir)} run dev`
  if (existsSync(join(dir, "go.mod"))) return "go run ."
  return undefined
}

/** What `devrig init` proposes for a subfolder (a superset of detection: pyproject too). */
export function proposeCommand(dir: string): { kind: ProjectKind; command: string } | undefined {
  if (existsSync(join(dir, "Cargo.toml"))) return { kind: "cargo", command: "cargo watch -x run" }
  const pkg = readPackageJson(dir)
  if (pkg) return { kind: "node", command: `${packageManager(dir)} run ${pkg.scripts?.dev ? "dev" : "start"}` }
  if (existsSync(join(dir, "go.mod"))) return { kind: "go", command: "go run ." }
  if (existsSync(join(dir, "pyproject.toml"))) return { kind: "python", command: "python3 -m app" }
  return undefined
}

/** The package manager its lockfile shows. */
export function packageManager(dir: string): "bun" | "pnpm" | "yarn" | "npm" {
  if (existsSync(join(dir, "bun.lock")) || existsSync(join(dir, "bun.lockb"))) return "bun"
  if (existsSync(join(dir, "pnpm-lock.yaml"))) return "pnpm"
  if (existsSync(join(dir, "yarn.lock"))) return "yarn"
  return "npm"
}

function readPackageJson(dir: string): { scripts?: Record<string, string> } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
  } catch {
    return undefined
  }
}
