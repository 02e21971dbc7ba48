/**
 * One supervisor per project. `.devrig/supervisor.pid` names the process that owns the project's
 * run: `{ pid, startTime, startedAt }`. It is taken before anything starts (before orphan cleanup,
 * which would otherwise kill the other run's services) and released by a clean shutdown.
 *
 * - Atomic: the file is written complete under a temporary name and hard-linked into place, so it
 *   exists with its content or not at all, and of two racing starts exactly one link succeeds.
 * - Stale-proof: a holder whose PID is gone, or now belongs to another process (its start time
 *   differs), no longer holds it. Taking over a stale lock is serialised by a `.takeover`
 *   directory, so two starts never both remove it (the second would remove the first's fresh lock).
 * - Handed over: `start -d` takes the lock itself, before it truncates the log or spawns anything,
 *   and the background supervisor it spawns replaces the record with its own (`heirOf`).
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs"
import { InputError } from "../errors.ts"
import { statePaths } from "../project/identity.ts"
import { ensureStateDir } from "../project/state.ts"
import { isAlive, processStartTime } from "../platform/process.ts"

export interface LockHolder {
  pid: number
  /** start time (src/platform) of `pid`: a reused PID never counts as the holder */
  startTime: number
  /** ISO time the holder took the lock */
  startedAt: string
  /** a `start -d` that holds the lock only until the supervisor it spawns takes it over */
  launcher?: boolean
}

/** Another supervisor runs this project: exit 1, naming it. */
export class ProjectLockedError extends InputError {
  constructor(
    name: string,
    readonly holder: LockHolder,
  ) {
    super(`${name} is already running (supervisor pid ${holder.pid}, since ${holder.startedAt})`, { hint: "Use `devrig ps` to see it, or `devrig stop` first" })
  }
}

const TAKEOVER_STALE_MS = 5000
const HANDOVER_WAIT_MS = 10_000

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as Partial<LockHolder>
    if (typeof h.pid === "number" && typeof h.startTime === "number") return { pid: h.pid, startTime: h.startTime, startedAt: String(h.startedAt ?? ""), launcher: h.launcher === true || undefined }
  } catch {}
  return undefined
}

/** The live process holding the project's lock, if any (it may be this one). */
export function lockHolder(root: string): LockHolder | undefined {
  const h = readHolder(statePaths(root).lock)
  return h && isAlive(h.pid, h.startTime) ? h : undefined
}

function me(): LockHolder {
  return { pid: process.pid, startTime: processStartTime(process.pid) ?? 0, startedAt: new Date().toISOString() }
}

function writeTemp(lock: string, h: LockHolder): string {
  const tmp = `${lock}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(h) + "\n", { mode: 0o600 })
  return tmp
}

/**
 * Takes the project's lock for this process, or throws ProjectLockedError naming the live holder.
 * `heirOf`: the PID of the `start -d` that took it for us; its record is replaced by ours.
 */
export function acquireLock(root: string, name: string, opts: { heirOf?: number; launcher?: boolean } = {}): LockHolder {
  const { lock } = ensureStateDir(root)
  const { heirOf } = opts
  const mine: LockHolder = { ...me(), launcher: opts.launcher || undefined }
  const launcherWait = Date.now() + HANDOVER_WAIT_MS
  for (let attempt = 0; attempt < 1000; attempt++) {
    const held = readHolder(lock)
    // A `start -d` about to hand the lock to its supervisor: name the supervisor, not the launcher.
    if (held?.launcher && held.pid !== heirOf && isAlive(held.pid, held.startTime) && Date.now() < launcherWait) {
      Bun.sleepSync(20)
      continue
    }
    if (held && heirOf && held.pid === heirOf) {
      const tmp = writeTemp(lock, { ...mine, launcher: undefined, startedAt: held.startedAt || mine.startedAt })
      renameSync(tmp, lock)
      return mine
    }
    if (held?.pid === process.pid && held.startTime === mine.startTime) return held
    if (held && isAlive(held.pid, held.startTime)) throw new ProjectLockedError(name, held)
    if (held || existsFile(lock)) {
      takeOverStale(lock, held)
      continue
    }
    const tmp = writeTemp(lock, mine)
    try {
      linkSync(tmp, lock)
      return mine
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
    } finally {
      unlinkQuiet(tmp)
    }
  }
  throw new InputError(`could not take the lock ${lock}`, { hint: "Remove it if no devrig runs this project" })
}

/** Removes a stale lock file, unless someone else replaced it meanwhile. */
function takeOverStale(lock: string, stale: LockHolder | undefined): void {
  const guard = `${lock}.takeover`
  try {
    mkdirSync(guard)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
    // a takeover in progress (or one whose process died half-way: it takes microseconds)
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS) rmdirSync(guard)
    } catch {}
    Bun.sleepSync(10)
    return
  }
  try {
    const now = readHolder(lock)
    const same = stale ? now?.pid === stale.pid && now.startTime === stale.startTime : now === undefined
    if (same) unlinkQuiet(lock)
  } finally {
    try {
      rmdirSync(guard)
    } catch {}
  }
}

/** Gives the lock up, if this process holds it. */
export function releaseLock(root: string): void {
  const { lock } = statePaths(root)
  const h = readHolder(lock)
  if (h?.pid === process.pid) unlinkQuiet(lock)
}

function existsFile(p: string): boolean {
  try {
    statSync(p)
    return true
  } catch {
    return false
  }
}

function unlinkQuiet(p: string): void {
  try {
    unlinkSync(p)
  } catch {}
}
