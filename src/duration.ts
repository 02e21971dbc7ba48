/**
 * Durations: "500ms", "10s", "5m", "1h30m" (ns, us, ms, s, m, h, d), or a bare number of seconds
 * (TOML values). One grammar for config, flags and the REST API.
 */
import { InputError } from "./errors.ts"

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const PART = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/

/** Milliseconds; throws InputError naming `what` on anything else. */
export function parseDuration(v: string | number, what = "duration"): number {
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v < 0) throw new InputError(`invalid ${what} ${v}`)
    return v * 1000
  }
  let rest = v.trim()
  if (rest === "") throw new InputError(`${what} is empty`, { hint: 'use e.g. "100ms", "10s", "5m", "1h"' })
  let total = 0
  while (rest.length > 0) {
    const m = PART.exec(rest)
    if (!m) throw new InputError(`invalid ${what} ${JSON.stringify(v)}: use a number with ms, s, m, h or d (e.g. 500ms, 10s, 5m, 1h30m)`)
    total += Number(m[1]) * UNIT_MS[m[2]!]!
    rest = rest.slice(m[0].length).trimStart()
  }
  return total
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${s % 60 ? ` ${s % 60}s` : ""}`
  const h = Math.floor(m / 60)
  return `${h}h${m % 60 ? ` ${m % 60}m` : ""}`
}
