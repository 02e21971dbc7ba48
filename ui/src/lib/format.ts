/** Formatting helpers shared by every view: dense, fixed-width where it helps scanning. */

export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "–"
  if (ms === 0) return "0"
  if (ms < 1) return `${Math.round(ms * 1000)}µs`
  if (ms < 10) return `${ms.toFixed(2)}ms`
  if (ms < 1000) return `${ms.toFixed(ms < 100 ? 1 : 0)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`
  return fmtUptime(ms)
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0")

/** 14:03:27.412 in local time. */
export function fmtTime(t: string | number | Date): string {
  const d = t instanceof Date ? t : new Date(t)
  if (Number.isNaN(d.getTime())) return "–"
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

export function fmtDateTime(t: string | number): string {
  const d = new Date(t)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${fmtTime(d)}`
}

/** 3d 4h, 2h 05m, 4m 07s, 12s */
export function fmtUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d) return `${d}d ${h}h`
  if (h) return `${h}h ${pad(m)}m`
  if (m) return `${m}m ${pad(s % 60)}s`
  return `${s}s`
}

export function fmtAgo(t: string | number, now = Date.now()): string {
  const ms = now - new Date(t).getTime()
  if (ms < 1500) return "just now"
  return `${fmtUptime(ms)} ago`
}

export const shortId = (id: string, n = 8) => id.slice(0, n)

export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return "–"
  const a = Math.abs(n)
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}G`
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`
  if (Number.isInteger(n)) return String(n)
  return a >= 100 ? n.toFixed(0) : a >= 1 ? n.toFixed(2) : n.toPrecision(3)
}

export function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return "null"
  if (typeof v === "string") return v
  return JSON.stringify(v)
}

export const toMs = (t: string | number) => (typeof t === "number" ? t : new Date(t).getTime())
export const iso = (ms: number) => new Date(ms).toISOString()
