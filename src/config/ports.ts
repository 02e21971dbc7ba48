/**
 * Port assignment. Fixed ports are taken as written. `"auto"` ports are stable: the value stored
 * in .devrig/state.json is reused while it is free; otherwise the first candidate is derived from
 * a hash of the project slug and the component key, so a checkout gets the same ports again even
 * after `delete` while two worktrees get different ones. Only a taken port moves it.
 */
import { createHash } from "node:crypto"
import type { State } from "../project/state.ts"
import { isPortFree } from "../project/ports.ts"
import { DEFAULTS } from "./schema.ts"
import type { LoadedConfig } from "./loaded.ts"

export interface PortRequest {
  /** "services.api", "docker.redis", "docker.mailpit.ports.smtp" */
  key: string
  /** fixed port, or "auto" */
  port: number | "auto"
}

export interface PortAssignment {
  ports: Record<string, number>
  auto: Set<string>
}

export function portRequests(loaded: LoadedConfig): PortRequest[] {
  const c = loaded.config
  const out: PortRequest[] = []
  for (const [n, s] of Object.entries(c.services ?? {})) if (s.port !== undefined) out.push({ key: `services.${n}`, port: s.port })
  for (const [n, d] of Object.entries(c.docker ?? {})) {
    if (d.port !== undefined) out.push({ key: `docker.${n}`, port: d.port })
    for (const [pn, p] of Object.entries(d.ports ?? {})) {
      const host = typeof p === "string" ? p.split(":")[0]! : p
      out.push({ key: `docker.${n}.ports.${pn}`, port: host === "auto" ? "auto" : Number(host) })
    }
  }
  return out
}

const RANGE = DEFAULTS.autoPortMax - DEFAULTS.autoPortMin

/** The n-th candidate for an auto port: a deterministic walk through the range. */
export function candidate(slug: string, key: string, n: number): number {
  const h = createHash("sha256").update(`${slug}\0${key}`).digest().readUInt32BE(0)
  return DEFAULTS.autoPortMin + ((h + n * 7919) % RANGE)
}

/** Without probing: stored port, else the first candidate (validate, env, eject…). */
export function assignPorts(loaded: LoadedConfig, state: State, _probe: false): PortAssignment {
  const ports: Record<string, number> = {}
  const auto = new Set<string>()
  const fixed = new Set(portRequests(loaded).flatMap((r) => (r.port === "auto" ? [] : [r.port])))
  for (const r of portRequests(loaded)) {
    if (r.port !== "auto") {
      ports[r.key] = r.port
      continue
    }
    auto.add(r.key)
    const stored = state.autoPorts[r.key]
    if (stored && !fixed.has(stored)) ports[r.key] = stored
    else {
      let n = 0
      while (fixed.has(candidate(loaded.identity.slug, r.key, n)) || Object.values(ports).includes(candidate(loaded.identity.slug, r.key, n))) n++
      ports[r.key] = candidate(loaded.identity.slug, r.key, n)
    }
  }
  return { ports, auto }
}

/** With probing: every auto port is free right now (fixed ports are checked by the caller). */
export async function assignPortsProbing(loaded: LoadedConfig, state: State, isFree: (p: number) => Promise<boolean> = isPortFree): Promise<PortAssignment> {
  const ports: Record<string, number> = {}
  const auto = new Set<string>()
  const requests = portRequests(loaded)
  const taken = new Set(requests.flatMap((r) => (r.port === "auto" ? [] : [r.port])))
  for (const r of requests) if (r.port !== "auto") ports[r.key] = r.port
  for (const r of requests) {
    if (r.port !== "auto") continue
    auto.add(r.key)
    const stored = state.autoPorts[r.key]
    let port: number | undefined
    if (stored && !taken.has(stored) && (await isFree(stored))) port = stored
    for (let n = 0; port === undefined && n < 2000; n++) {
      const c = candidate(loaded.identity.slug, r.key, n)
      if (!taken.has(c) && (await isFree(c))) port = c
    }
    if (port === undefined) throw new Error(`no free port found for ${r.key}`)
    taken.add(port)
    ports[r.key] = port
  }
  return { ports, auto }
}
