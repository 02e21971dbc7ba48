/**
 * `.devrig/state.json`: advisory state (auto ports, init hashes, the running supervisor and the
 * process groups it started). Never trusted blindly: a corrupt or missing file reads as empty,
 * and everything in it is re-checked against the OS and Docker before use.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { statePaths } from "./identity.ts"
import type { DashboardInfo } from "../status.ts"

export interface ProcessRecord {
  pid: number
  /** process start time as src/platform measures it (Linux: clock ticks since boot): guards against PID reuse */
  startTime: number
}

/** One run of a container's init scripts: what ran, and in which container on which data. */
export interface InitRecord {
  /** content hash of the init scripts */
  hash: string
  /** id of the container they ran in */
  container: string
  /** the container's volumes at the time ("name@id": see docker/init.ts) */
  volumes: string[]
}

export interface State {
  version: 1
  slug?: string
  /** "services.api" / "docker.redis" / "docker.mailpit.ports.smtp" → port */
  autoPorts: Record<string, number>
  /** container name → its last init run (a bare scripts hash when written by an older devrig) */
  initDone: Record<string, InitRecord | string>
  supervisor?: ProcessRecord & { socket: string; startedAt: string }
  /** service name → the process group it runs in (pgid == pid of the group leader) */
  groups: Record<string, ProcessRecord>
  dashboard?: DashboardInfo
  /** change cursors: when each component last (re)started, when the config was last reloaded */
  cursors?: { start: Record<string, string>; reload?: string }
}

export function emptyState(): State {
  return { version: 1, autoPorts: {}, initDone: {}, groups: {} }
}

export function readState(root: string): State {
  const { state } = statePaths(root)
  try {
    const raw = JSON.parse(readFileSync(state, "utf8")) as Partial<State>
    if (!raw || typeof raw !== "object") return emptyState()
    return {
      ...emptyState(),
      ...raw,
      version: 1,
      autoPorts: isRecord(raw.autoPorts) ? (raw.autoPorts as Record<string, number>) : {},
      initDone: isRecord(raw.initDone) ? (raw.initDone as State["initDone"]) : {},
      groups: isRecord(raw.groups) ? (raw.groups as Record<string, ProcessRecord>) : {},
    }
  } catch {
    return emptyState()
  }
}

/** Make `.devrig/` (owner-only) and return its paths. */
export function ensureStateDir(root: string) {
  const paths = statePaths(root)
  if (!existsSync(paths.dir)) mkdirSync(paths.dir, { recursive: true, mode: 0o700 })
  try {
    chmodSync(paths.dir, 0o700)
  } catch {}
  return paths
}

/**
 * Where a failed write goes instead of being thrown. The supervisor sets it: a full or read-only
 * disk under .devrig/ must never take down what it supervises (the state is advisory; the next
 * write that works brings the file up to date).
 */
let writeFailed: ((file: string, error: Error) => void) | undefined

export function onStateWriteError(report: (file: string, error: Error) => void): void {
  writeFailed = report
}

function guarded(file: string, write: () => void): void {
  try {
    write()
  } catch (e) {
    if (!writeFailed) throw e
    writeFailed(file, e as Error)
  }
}

/** Atomic write (temp file + rename) so a crash never leaves half a file. */
export function writeState(root: string, state: State): void {
  const file = statePaths(root).state
  guarded(file, () => {
    const paths = ensureStateDir(root)
    const tmp = `${paths.state}.${process.pid}.tmp`
    try {
      writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 })
      renameSync(tmp, paths.state)
    } catch (e) {
      rmSync(tmp, { force: true })
      throw e
    }
  })
}

/** Read-modify-write helper. */
export function updateState(root: string, fn: (s: State) => void): State {
  const s = readState(root)
  fn(s)
  writeState(root, s)
  return s
}

function isRecord(v: unknown): boolean {
  return !!v && typeof v === "object" && !Array.isArray(v)
}

/** Records a change cursor: when `component` (re)started, or (without one) the last config reload. */
export function recordCursor(root: string, kind: "start" | "reload", component?: string): void {
  const now = new Date().toISOString()
  updateState(root, (s) => {
    const c = (s.cursors ??= { start: {} })
    if (kind === "reload") c.reload = now
    else if (component) c.start[component] = now
  })
}

/** The config source the running supervisor accepted last (for commands run during a broken edit). */
export function writeLastGood(root: string, source: string): void {
  guarded(statePaths(root).lastGood, () => writeFileSync(ensureStateDir(root).lastGood, source, { mode: 0o600 }))
}

export function readLastGood(root: string): string | undefined {
  try {
    return readFileSync(statePaths(root).lastGood, "utf8")
  } catch {
    return undefined
  }
}
