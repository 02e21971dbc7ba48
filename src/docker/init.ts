/**
 * `init` scripts: run once per container and its data, after the first ready check passes. The
 * caller records what they ran for in .devrig/state.json (initDone: the scripts' hash, the
 * container id, its volumes) and skips them while that still holds. They run again when the list
 * is edited, and in a fresh container that did not inherit the volumes of the one they ran in
 * (after `docker rm`, or a recreate without volumes: its data is gone); a stopped and restarted
 * container, or a recreated one that kept its volumes, never runs them twice.
 */
import { createHash } from "node:crypto"
import type { ResolvedContainer } from "../config/resolved.ts"
import { ExternalError } from "../errors.ts"
import type { InitRecord } from "../project/state.ts"
import { isAnonymousVolume, type ContainerInfo } from "./containers.ts"
import { execRun } from "./exec.ts"
import { postgresUser } from "./ready.ts"
import { inspectVolume, LABEL_VOLUME_ID } from "./volumes.ts"

/** Where the data an init run wrote can live: the container, and the volumes mounted into it. */
export interface InitTarget {
  container: string
  /**
   * "name@id" for devrig's named volumes (the random id label: one removed and made again under the
   * same name is a different volume), the bare name for anonymous ones (random already)
   */
  volumes: string[]
}

export async function initTarget(info: Pick<ContainerInfo, "id" | "volumes">): Promise<InitTarget> {
  const volumes = await Promise.all(
    info.volumes.map(async (v) => {
      const id = isAnonymousVolume(v.name) ? undefined : (await inspectVolume(v.name))?.labels[LABEL_VOLUME_ID]
      return id ? `${v.name}@${id}` : v.name
    }),
  )
  return { container: info.id, volumes: volumes.sort() }
}

/** False when `done` already covers these scripts in this container or on these volumes. */
export function initNeeded(done: InitRecord | string | undefined, scripts: string[], target: InitTarget): boolean {
  if (done === undefined) return true
  const hash = initHash(scripts)
  // Written by an older devrig, which knew only the hash.
  if (typeof done === "string") return done !== hash
  if (done.hash !== hash) return true
  if (done.container === target.container) return false
  // A new container: the data is still there only if every volume it was written to came along.
  return !(done.volumes.length && done.volumes.every((v) => target.volumes.includes(v)))
}

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
