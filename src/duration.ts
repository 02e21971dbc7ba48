/** Durations ("500ms", "10s", "5m", "1h", "1d", or a number of seconds) and their display. */
import { InputError } from "./errors.ts"

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Milliseconds; throws InputError on anything else. */
export function parseDuration(v: string | number): number {
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v < 0) throw new InputError(`invalid duration ${v}`)
    return v * 1000
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(v)
  if (!m) throw new InputError(`invalid duration ${JSON.stringify(v)}: use a number with ms, s, m, h or d (e.g. 500ms, 10s, 5m)`)
  return Number(m[1]) * UNITS[m[2]!]!
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
