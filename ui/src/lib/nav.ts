/**
 * Cross-telemetry navigation: deep-link builders, the t/l/m jump targets of whatever detail is on
 * screen, breadcrumbs of the jumps taken, and a stack of Escape handlers (innermost first).
 */
import { createSignal, onCleanup } from "solid-js"
import { qs } from "./api.ts"
import { iso, toMs } from "./format.ts"

export const WINDOW_MS = 5_000

export const links = {
  trace: (traceId: string, spanId?: string) => `/traces${qs({ traceId, spanId })}`,
  tracesAround: (service: string | undefined, at: number, windowMs = WINDOW_MS) =>
    `/traces${qs({ service, from: iso(at - windowMs), to: iso(at + windowMs) })}`,
  logsForTrace: (traceId: string) => `/logs${qs({ traceId })}`,
  logsBetween: (service: string | undefined, from: number, to: number) => `/logs${qs({ service, from: iso(from), to: iso(to) })}`,
  logsAround: (service: string | undefined, at: number, windowMs = WINDOW_MS) => links.logsBetween(service, at - windowMs, at + windowMs),
  metricsAt: (service: string | undefined, at: number | string, name?: string) => `/metrics${qs({ name, service, at: iso(toMs(at)) })}`,
}

export interface Jumps {
  t?: string
  l?: string
  m?: string
  /** what the breadcrumb for the current place should say */
  label?: string
}

const [providers, setProviders] = createSignal<(() => Jumps)[]>([])
/** The t/l/m targets of the innermost detail on screen (a span inside a trace wins over the trace). */
export const jumps = (): Jumps => providers().at(-1)?.() ?? {}

/** Called by a detail view while it is mounted: its related telemetry becomes the t/l/m targets. */
export function provideJumps(get: () => Jumps) {
  setProviders((p) => [...p, get])
  onCleanup(() => setProviders((p) => p.filter((x) => x !== get)))
}

export interface Crumb {
  label: string
  href: string
}
const [crumbs, setCrumbs] = createSignal<Crumb[]>([])
export { crumbs, setCrumbs }

type Navigate = (to: string) => void

/** Follow a cross-telemetry link, remembering where we came from so Escape can go back. */
export function jump(navigate: Navigate, to: string, fromLabel: string) {
  const here = location.pathname + location.search
  setCrumbs((c) => [...c, { label: fromLabel, href: here }].slice(-8))
  navigate(to)
}

export function back(navigate: Navigate): boolean {
  const c = crumbs()
  const last = c[c.length - 1]
  if (!last) return false
  setCrumbs(c.slice(0, -1))
  navigate(last.href)
  return true
}

const escapeStack: (() => boolean | void)[] = []
/** Register an Escape handler for as long as the calling component lives (innermost wins). */
export function onEscape(fn: () => boolean | void) {
  escapeStack.push(fn)
  onCleanup(() => {
    const i = escapeStack.lastIndexOf(fn)
    if (i >= 0) escapeStack.splice(i, 1)
  })
}
export function runEscape(): boolean {
  for (let i = escapeStack.length - 1; i >= 0; i--) if (escapeStack[i]!() !== false) return true
  return false
}

const [overlay, setOverlay] = createSignal<"palette" | "shortcuts" | null>(null)
export { overlay, setOverlay }
