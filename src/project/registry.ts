/**
 * The per-user instance registry behind `devrig ps --all` and port-owner messages: one small
 * JSON file per project under ~/.local/state/devrig/instances/. Entries are advisory; a dead
 * supervisor PID reads as "stopped". An entry whose config file is gone reads as "missing", one
 * stopped for longer than STALE_AFTER_MS as "stale"; `ps --all --prune` removes both (only the
 * entries: the projects' containers and volumes are never touched from here).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs"
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
  /** when the supervisor last stopped (absent while it runs, and in entries older than this field) */
  stoppedAt?: string
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
  if (i) registerInstance({ ...i, pid: undefined, startTime: undefined, stoppedAt: new Date().toISOString() })
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

/** A stopped project untouched for this long is listed as stale. */
export const STALE_AFTER_MS = 30 * 24 * 3600_000

export interface ListedInstance extends Instance {
  running: boolean
  /** the config file (and usually its folder) no longer exists */
  missing: boolean
  /** stopped, and last started or stopped more than STALE_AFTER_MS ago */
  stale: boolean
  /** when the project was last started or stopped (ISO 8601), as far as the registry knows */
  lastSeen?: string
}

/** Every known instance, each marked running, missing or stale. */
export function listInstances(now = Date.now()): ListedInstance[] {
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
    const running = !!i.pid && isAlive(i.pid, i.startTime)
    const lastSeen = running ? undefined : (i.stoppedAt ?? _modified(join(dir(), f)) ?? i.startedAt)
    const stale = !running && lastSeen !== undefined && now - Date.parse(lastSeen) > STALE_AFTER_MS
    out.push({ ...i, running, missing: !existsSync(i.configPath), stale, ...(lastSeen ? { lastSeen } : {}) })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

/** Removes the entries of projects that are missing or stale (never a running one); returns them. */
export function pruneInstances(now = Date.now()): ListedInstance[] {
  const gone = listInstances(now).filter((i) => !i.running && (i.missing || i.stale))
  for (const i of gone) removeInstance(i.slug)
  return gone
}

/** The entry file's modification time: when it was last written (a start or a stop). */
function _modified(file: string): string | undefined {
  try {
    return statSync(file).mtime.toISOString()
  } catch {
    return undefined
  }
}

/** The running devrig instance (other than `exceptSlug`) that holds `port`, if any. */
export function instanceHoldingPort(port: number, exceptSlug?: string): ListedInstance | undefined {
  return listInstances().find((i) => i.running && i.slug !== exceptSlug && i.ports.includes(port))
}
