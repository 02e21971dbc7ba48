/**
 * `init` scripts: run once, after the first ready check passes. The caller records the returned
 * hash in .devrig/state.json (initDone) and skips the scripts while it matches; editing the list
 * changes the hash, so the new scripts run on the next start.
 */
import { createHash } from "node:crypto"
import type { ResolvedContainer } from "../config/resolved.ts"
import { ExternalError } from "../errors.ts"
import { execRun } from "./exec.ts"
import { postgresUser } from "./ready.ts"

export function initHash(scripts: string[]): string {
  return createHash("sha256").update(JSON.stringify(scripts)).digest("hex").slice(0, 16)
}

/** The image's name without registry, namespace, tag or digest: "docker.io/library/postgres:16" → "postgres". */
export function imageBaseName(image: string): string {
  const noDigest = image.split("@")[0] ?? image
  const last = noDigest.slice(noDigest.lastIndexOf("/") + 1)
  return (last.split(":")[0] ?? last).toLowerCase()
}

const POSTGRES_IMAGES = ["postgres", "postgis", "timescaledb", "pgvector"]

/** Postgres images (postgres, postgis, bitnami/postgresql, …) or anything configured like one. */
export function isPostgresLike(c: Pick<ResolvedContainer, "image" | "env">): boolean {
  const base = imageBaseName(c.image)
  return POSTGRES_IMAGES.some((p) => base.includes(p)) || Object.keys(c.env).some((k) => k.startsWith("POSTGRES_"))
}

export interface InitStep {
  argv: string[]
  stdin?: string
  env?: Record<string, string>
}

/** The command each init entry becomes. Pure, so the unit tests can check it. */
export function initSteps(c: ResolvedContainer): InitStep[] {
  if (!isPostgresLike(c)) return c.init.map((script) => ({ argv: ["sh", "-c", script] }))
  const argv = ["psql", "-v", "ON_ERROR_STOP=1", "-U", postgresUser(c)]
  if (c.env.POSTGRES_DB) argv.push("-d", c.env.POSTGRES_DB)
  // SQL goes through stdin (`-f -`), not `-c`: `-c` runs a multi-statement string as one
  // transaction, where CREATE DATABASE is not allowed.
  argv.push("-f", "-")
  const env = c.env.POSTGRES_PASSWORD ? { PGPASSWORD: c.env.POSTGRES_PASSWORD } : undefined
  return c.init.map((sql) => ({ argv, stdin: sql, env }))
}

/** Runs every init entry in order, stopping at the first failure. Returns the scripts' hash. */
export async function runInit(containerId: string, c: ResolvedContainer): Promise<string> {
  const steps = initSteps(c)
  for (const [i, step] of steps.entries()) {
    const r = await execRun(containerId, step.argv, { stdin: step.stdin, env: step.env })
    if (r.exitCode !== 0) {
      const script = c.init[i] ?? ""
      throw new ExternalError(`[docker.${c.name}] init script ${i + 1} of ${steps.length} failed (exit code ${r.exitCode})`, {
        details: [`script: ${script.length > 200 ? `${script.slice(0, 200)}…` : script}`, ...r.output.trim().split("\n").slice(-20)],
        hint: `Fix the init entry in devrig.toml, then run \`devrig reset ${c.name}\``,
      })
    }
  }
  return initHash(c.init)
}
