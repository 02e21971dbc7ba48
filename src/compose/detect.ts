/**
 * Which Compose is installed, whether the compose file is usable, and how a failed Compose run
 * is reported. Every error here starts with `compose:`; all are ExternalErrors (exit 2) except an
 * empty or malformed path (exit 1).
 */
import { accessSync, constants, statSync } from "node:fs"
import { ExternalError, InputError } from "../errors.ts"
import { type ComposeFlavor, formatArgv, versionArgv } from "./argv.ts"
import { succeeds } from "./process.ts"

export type Probe = (argv: readonly string[]) => Promise<boolean>

export const NOT_AVAILABLE = "compose: docker compose not available; please install Docker and Docker Compose"

/** Prefers the v2 plugin; falls back to v1 `docker-compose` (all Debian offers). */
export async function detectFlavor(probe: Probe = succeeds): Promise<ComposeFlavor> {
  if (await probe(versionArgv("v2"))) return "v2"
  if (await probe(versionArgv("v1"))) return "v1"
  throw new ExternalError(NOT_AVAILABLE)
}

let _cached: Promise<ComposeFlavor> | undefined

/** detectFlavor, probed once per devrig process (a failed probe is retried next time). */
export function composeFlavor(): Promise<ComposeFlavor> {
  _cached ??= detectFlavor().catch((e) => {
    _cached = undefined
    throw e
  })
  return _cached
}

export function assertComposeFile(path: string): void {
  // Exit 1, not 2: nothing outside devrig failed, the input is wrong.
  if (path.trim() === "" || path.includes("\0")) throw new InputError(`compose: invalid compose file path ${JSON.stringify(path)}`)
  try {
    if (!statSync(path).isFile()) throw new Error("not a file")
    accessSync(path, constants.R_OK)
  } catch (cause) {
    throw new ExternalError(`compose: compose file not found at ${path}`, { cause })
  }
}

export interface FailureContext {
  argv: readonly string[]
  code: number
  stderrTail: readonly string[]
  /** the failed command was `up -d` */
  detach?: boolean
}

const SUMMARY_LINES = 10

/** Compose exited non-zero: exit 2, the last stderr line in the message, more lines as details. */
export function composeFailure(f: FailureContext): ExternalError {
  const lines = f.stderrTail.map((l) => l.trimEnd()).filter((l) => l.trim() !== "")
  const last = lines.at(-1)
  const details = lines.slice(-SUMMARY_LINES)
  const cmd = formatArgv(f.argv)
  if (f.detach) {
    return new ExternalError(
      `compose: the compose stack could not be started in the background (exit ${f.code}${last ? `: ${last}` : ""}); run without --detach to see logs`,
      { details, hint: `command: ${cmd}` },
    )
  }
  return new ExternalError(`compose: ${_verb(f.argv)} failed (exit ${f.code})${last ? `: ${last}` : ""}`, {
    details,
    hint: `command: ${cmd}`,
  })
}

/** "docker compose up" / "docker-compose down": the executable and its subcommand. */
function _verb(argv: readonly string[]): string {
  const exe = argv[0] === "docker" ? "docker compose" : (argv[0] ?? "compose")
  const valued = new Set(["-p", "-f", "--env-file"])
  const sub = argv.find((a, i) => i > 0 && /^(up|down|stop|ps|logs|config|version)$/.test(a) && !valued.has(argv[i - 1] ?? ""))
  return sub ? `${exe} ${sub}` : exe
}
