/**
 * The only module that reads process.env, so tests can redirect HOME and state dirs
 * (see test/helpers/preload.ts) and everything else stays pure.
 */
import { homedir } from "node:os"
import { join } from "node:path"

export function home(): string {
  return process.env.HOME || homedir()
}

/** Per-user directory for the instance registry (`ps --all`). */
export function userStateDir(): string {
  const xdg = process.env.XDG_STATE_HOME
  return xdg ? join(xdg, "devrig") : join(home(), ".local", "state", "devrig")
}

export function noColor(): boolean {
  return "NO_COLOR" in process.env && process.env.NO_COLOR !== ""
}

export function dockerHost(): string | undefined {
  return process.env.DOCKER_HOST || undefined
}

export function isCI(): boolean {
  return !!process.env.CI
}

/** A copy of the user's environment, the base every service's environment starts from. */
export function processEnv(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v
  return out
}

export function getEnv(name: string): string | undefined {
  return process.env[name]
}
