/**
 * Paths with OS limits. A unix socket's path must fit sun_path: 104 bytes with its NUL on macOS,
 * 108 on Linux. devrig holds every OS to the smaller limit, so a project path that works on Linux
 * works on a Mac too (and the tests on Linux prove the long-path fallback).
 */
import { createHash } from "node:crypto"
import { lstatSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { isDarwin } from "./info.ts"

/** The longest socket path devrig binds (bytes, without the NUL): macOS's 104 − 1. */
export const SOCKET_PATH_MAX = 103

export function fitsSocketPath(path: string): boolean {
  return Buffer.byteLength(path) <= SOCKET_PATH_MAX
}

/**
 * A short, per-user home for sockets whose natural path is too long: `/tmp/devrig-<uid>/`
 * (mode 0700, owned by the user, not a symlink — anything else is refused). Not $TMPDIR: on macOS
 * that is itself ~50 bytes under /var/folders.
 */
export function shortRuntimeDir(): string {
  const uid = process.getuid?.() ?? 0
  const dir = join(isDarwin() ? "/private/tmp" : "/tmp", `devrig-${uid}`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const st = lstatSync(dir)
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0)
    throw new Error(`${dir} is not a private directory of this user (owner ${st.uid}, mode ${(st.mode & 0o777).toString(8)}): remove it and retry`)
  return dir
}

/** `wanted` when it fits; otherwise a stable short path keyed by `wanted` under shortRuntimeDir(). */
export function socketPath(wanted: string): string {
  if (fitsSocketPath(wanted)) return wanted
  const key = createHash("sha256").update(wanted).digest("hex").slice(0, 16)
  return join(shortRuntimeDir(), `${key}.sock`)
}
