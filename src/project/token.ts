/**
 * The per-run secret of the dashboard and REST API: `.devrig/token`, 0600, written when the
 * supervisor starts (a new one each run) and removed when it stops. Whoever can read it is the
 * user (or root): the CLI, the skill and the MCP server read it here to talk to the API.
 */
import { randomBytes, timingSafeEqual, createHash } from "node:crypto"
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs"
import { join } from "node:path"
import { statePaths } from "./identity.ts"

export function tokenPath(root: string): string {
  return join(statePaths(root).dir, "token")
}

/** A fresh token (32 random bytes, base64url), written 0600 before anything can read it. */
export function createToken(root: string): string {
  const token = randomBytes(32).toString("base64url")
  const path = tokenPath(root)
  mkdirSync(statePaths(root).dir, { recursive: true, mode: 0o700 })
  // O_EXCL on a private temp name, then rename: the file is never readable with wider
  // permissions, and a reader never sees half a token.
  const tmp = `${path}.${process.pid}.tmp`
  try {
    unlinkSync(tmp)
  } catch {}
  const fd = openSync(tmp, "wx", 0o600)
  try {
    writeSync(fd, token + "\n")
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  return token
}

/** The running supervisor's token, or undefined (not running, or the dashboard runs without auth). */
export function readToken(root: string): string | undefined {
  try {
    return readFileSync(tokenPath(root), "utf8").trim() || undefined
  } catch {
    return undefined
  }
}

export function removeToken(root: string): void {
  try {
    unlinkSync(tokenPath(root))
  } catch {}
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false
  const a = createHash("sha256").update(expected).digest()
  const b = createHash("sha256").update(given).digest()
  return timingSafeEqual(a, b)
}
