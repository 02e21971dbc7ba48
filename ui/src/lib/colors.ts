/**
 * Stable per-service colours: a service keeps its colour across views and reloads because the
 * hue comes from a hash of its name, not from the order in which services were seen.
 */
const PALETTE = ["#8b7cf6", "#22c3a6", "#f59e0b", "#3b9eff", "#ec4899", "#84cc16", "#06b6d4", "#f97316", "#c084fc", "#eab308"]

const assigned = new Map<string, string>()
const taken = new Set<string>()

/**
 * A service keeps its colour for the whole session. The preferred slot comes from a hash of the
 * name (so colours are mostly stable across reloads); a slot already held by another service is
 * skipped, so the first ten services never share a colour.
 */
export function serviceColor(name: string): string {
  const hit = assigned.get(name)
  if (hit) return hit
  let h = 2166136261
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619)
  const start = (h >>> 0) % PALETTE.length
  let color = PALETTE[start]!
  for (let i = 0; i < PALETTE.length; i++) {
    const c = PALETTE[(start + i) % PALETTE.length]!
    if (!taken.has(c)) {
      color = c
      break
    }
  }
  taken.add(color)
  assigned.set(name, color)
  return color
}

export const ERROR_COLOR = "#f0506e"

import type { ComponentState } from "../../../src/status.ts"

export type Tone = "ok" | "warn" | "err" | "idle" | "busy"

export function stateTone(s: ComponentState): Tone {
  switch (s) {
    case "running":
    case "ready":
      return "ok"
    case "starting":
    case "restarting":
    case "stopping":
    case "pending":
      return "busy"
    case "failed":
      return "err"
    case "exited":
      return "warn"
    default:
      return "idle"
  }
}
