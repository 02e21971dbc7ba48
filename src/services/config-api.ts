/**
 * The config editor's file side: validate TOML text exactly as `devrig validate` would (without
 * touching the file) and save it atomically. The rename matters: the hot-reload watcher
 * (config-watch.ts) reads the file after a short debounce, and must never see half of a write.
 */
import { createHash } from "node:crypto"
import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { inspectConfig } from "../config/load.ts"

export interface ConfigProblem {
  line: number
  column: number
  message: string
}

/** A saved config larger than this is surely a mistake (a pasted log, a binary). */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** Refused: the text has problems and the caller did not force the save. */
export class InvalidConfigError extends Error {
  readonly code = "INVALID_CONFIG"
  readonly status = 422
  constructor(readonly problems: ConfigProblem[]) {
    super(`devrig.toml not saved: ${problems.length} problem${problems.length === 1 ? "" : "s"}`)
  }
}

/** Refused: the file changed on disk since the editor loaded the revision it was based on. */
export class ConfigConflictError extends Error {
  readonly code = "CONFLICT"
  readonly status = 409
  constructor(readonly revision: string) {
    super("devrig.toml changed on disk since it was loaded; reload it, or save again with this revision as base to overwrite it")
  }
}

/** A short content hash: the editor sends it back as `base` so a save never clobbers an outside edit. */
export function configRevision(source: string): string {
  return createHash("sha256").update(source).digest("hex").slice(0, 16)
}

/** The file as it is on disk, or undefined when it cannot be read. */
export function readConfigText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

export function validateConfigText(path: string, text: string): ConfigProblem[] {
  return inspectConfig(path, text).problems
}

export interface SaveOptions {
  /** write even when the text has problems (the running devrig keeps its config until fixed); never skips the conflict check */
  force?: boolean
  /** the revision the edit started from; a different file on disk → ConfigConflictError */
  base: string
}

export interface SaveResult {
  saved: true
  /** false when the text equals the file (nothing written, nothing to reload) */
  changed: boolean
  problems: ConfigProblem[]
  revision: string
}

export function saveConfigText(path: string, text: string, opts: SaveOptions): SaveResult {
  // The conflict check comes first and nothing skips it: overwriting an edit made since the
  // editor loaded the file (another editor, git checkout) would lose it silently.
  const current = readConfigText(path)
  if (current !== undefined && configRevision(current) !== opts.base) throw new ConfigConflictError(configRevision(current))
  const problems = validateConfigText(path, text)
  if (problems.length && !opts.force) throw new InvalidConfigError(problems)
  const revision = configRevision(text)
  if (current === text) return { saved: true, changed: false, problems, revision }
  writeAtomic(path, text)
  return { saved: true, changed: true, problems, revision }
}

function writeAtomic(path: string, text: string) {
  // Write through a symlink to its target, keeping the link; keep the file's permissions.
  let target = path
  try {
    target = realpathSync(path)
  } catch {}
  let mode = 0o644
  try {
    mode = statSync(target).mode & 0o7777
  } catch {}
  // A dot-name in the same folder: rename is atomic there, and the watcher ignores other names.
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`)
  const fd = openSync(tmp, "w", mode)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    chmodSync(tmp, mode) // openSync's mode is masked by the umask
    renameSync(tmp, target)
  } catch (e) {
    try {
      unlinkSync(tmp)
    } catch {}
    throw e
  }
}
