/**
 * Parsing of the query parameters shared by `devrig query` flags and the REST query string:
 * durations ("250ms", "5m", "1h30m"), timestamps (ISO 8601 or epoch milliseconds), levels.
 * Bad input is an InputError (CLI exit 1, HTTP 400).
 */
import { InputError } from "../errors.ts"
import type { LogLevel } from "../otel/model.ts"

export { parseDuration } from "../duration.ts"

const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i

/** ISO 8601 (a time without zone is UTC) or epoch milliseconds. */
export function parseTimestamp(input: string, what = "timestamp"): number {
  const s = input.trim()
  if (/^\d{10,16}$/.test(s)) return Number(s)
  if (ISO_RE.test(s)) {
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(s) || !s.includes(":") ? s : s + "Z"
    const ms = Date.parse(zoned.replace(" ", "T"))
    if (Number.isFinite(ms)) return ms
  }
  throw new InputError(`invalid ${what} "${input}"`, { hint: "use ISO 8601, e.g. 2026-02-21T10:30:00Z" })
}

export function parseLimit(input: string | undefined, fallback: number, max = 10_000): number {
  if (input === undefined || input === "") return fallback
  const n = Number(input)
  if (!Number.isInteger(n) || n < 1) throw new InputError(`invalid limit "${input}": expected a positive integer`)
  return Math.min(n, max)
}

const LEVELS: Record<string, LogLevel> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  err: "error",
  fatal: "fatal",
  unspecified: "unspecified",
}

export function parseLevel(input: string): LogLevel {
  const l = LEVELS[input.trim().toLowerCase()]
  if (!l) throw new InputError(`invalid level "${input}"`, { hint: "use trace, debug, info, warn, error or fatal" })
  return l
}

export function parseTraceId(input: string, what = "trace id"): string {
  const s = input.trim().toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(s)) throw new InputError(`invalid ${what} "${input}": expected 32 hex characters`)
  return s
}

/** "key=value" label filters. */
export function parseLabel(input: string): [string, string] {
  const i = input.indexOf("=")
  if (i <= 0) throw new InputError(`invalid label "${input}": expected key=value`)
  return [input.slice(0, i), input.slice(i + 1)]
}
