/**
 * The per-user instance registry behind `devrig ps --all` and port-owner messages: one small
 * JSON file per project under ~/.local/state/devrig/instances/. Entries are advisory; a dead
 * supervisor PID reads as "stopped", and entries whose config file is gone are removed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { userStateDir } from "../env.ts"
import { isAlive } from "../platform/process.ts"

export interface Instance {
  slug: string
  name: string
  configPath: string
  pid?: number
  startTime?: number
  startedAt?: string
  services: number
  docker: number
  cluster: boolean
  /** host ports this instance holds (services, containers, dashboard) */
  ports: number[]
}

function dir(): string {
  return join(userStateDir(), "instances")
}

export function registerInstance(i: Instance): void {
  mkdirSync(dir(), { recursive: true, mode: 0o700 })
  writeFileSync(join(dir(), `${i.slug}.json`), JSON.stringify(i, null, 2), { mode: 0o600 })
}

/** Marks an instance stopped (keeps it listed). */
export function markStopped(slug: string): void {
  const i = readInstance(slug)
  if (i) registerInstance({ ...i, pid: undefined, startTime: undefined })
}

export function removeInstance(slug: string): void {
  try {
    unlinkSync(join(dir(), `${slug}.json`))
  } catch {}
}

function readInstance(slug: string): Instance | undefined {
  try {
    return JSON.parse(readFileSync(join(dir(), `${slug}.json`), "utf8")) as Instance
  } catch {
    return undefined
  }
}

export interface ListedInstance extends Instance {
  running: boolean
}

/** Every known instance; stale ones (config file gone) are cleaned up. */
export function listInstances(): ListedInstance[] {
  let files: string[] = []
  try {
    files = readdirSync(dir()).filter((f) => f.endsWith(".json"))
  } catch {
    return []
  }
  const out: ListedInstance[] = []
  for (const f of files) {
    const i = readInstance(f.slice(0, -5))
    if (!i) continue
    if (!existsSync(i.configPath)) {
      removeInstance(i.slug)
      continue
    }
    out.push({ ...i, running: !!i.pid && isAlive(i.pid, i.startTime) })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

/** The running devrig instance (other than `exceptSlug`) that holds `port`, if any. */
export function instanceHoldingPort(port: number, exceptSlug?: string): ListedInstance | undefined {
  return listInstances().find((i) => i.running && i.slug !== exceptSlug && i.ports.includes(port))
}
