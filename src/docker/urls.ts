/**
 * Discovery variables for [docker.*] components (PRD "Service Discovery & Environment
 * Injection"). Pure: the env builder calls it with resolved containers, whose host ports are
 * already assigned, so nothing here needs the engine.
 *
 *   DEVRIG_<NAME>_HOST          localhost (or the bind address when it is a specific one)
 *   DEVRIG_<NAME>_PORT          the main published host port
 *   DEVRIG_<NAME>_PORT_<PORT>   each named port
 *   DEVRIG_<NAME>_URL           only with a single published port (see containerUrl)
 */
import type { ResolvedContainer } from "../config/resolved.ts"
import { imageBaseName, isPostgresLike } from "./init.ts"

export type DiscoveryInput = Pick<ResolvedContainer, "name" | "image" | "env" | "port" | "ports" | "bind"> & Partial<Pick<ResolvedContainer, "secretKeys">>

export interface DiscoveryOptions {
  /** for reading (devrig env, /api/env, crash reports): credentials that came from an env file become "****" */
  mask?: boolean
}

export const MASK = "****"

/** "my-db" → "MY_DB", "cache.v2" → "CACHE_V2" */
export function envName(name: string): string {
  return name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
}

const ANY_OR_LOOPBACK = new Set(["", "0.0.0.0", "::", "[::]", "127.0.0.1", "::1", "[::1]", "localhost"])

/** Where the host reaches the published ports. */
export function containerHost(c: Pick<DiscoveryInput, "bind">): string {
  return ANY_OR_LOOPBACK.has(c.bind) ? "localhost" : c.bind.includes(":") ? `[${c.bind}]` : c.bind
}

export function isRedisLike(c: Pick<DiscoveryInput, "image">): boolean {
  const base = imageBaseName(c.image)
  return base.includes("redis") || base.includes("valkey")
}

/**
 * The connection URL, when there is exactly one published port:
 *   postgres://user:pass@localhost:port  (credentials from POSTGRES_USER / POSTGRES_PASSWORD)
 *   redis://localhost:port
 *   localhost:port                       (anything else)
 * None for a container with several published ports: use the _PORT_<NAME> variables.
 */
export function containerUrl(c: DiscoveryInput, opts: DiscoveryOptions = {}): string | undefined {
  if (!c.port || Object.keys(c.ports).length > 0) return undefined
  const hostPort = `${containerHost(c)}:${c.port.host}`
  if (isPostgresLike(c)) {
    const pass = c.env.POSTGRES_PASSWORD
    // The official image's superuser is "postgres" unless POSTGRES_USER says otherwise.
    const user = c.env.POSTGRES_USER ?? (pass !== undefined ? "postgres" : undefined)
    if (user === undefined) return `postgres://${hostPort}`
    const secret = new Set(opts.mask ? (c.secretKeys ?? []) : [])
    const part = (key: string, v: string) => (secret.has(key) ? MASK : encodeURIComponent(v))
    const cred = part("POSTGRES_USER", user) + (pass !== undefined ? `:${part("POSTGRES_PASSWORD", pass)}` : "")
    return `postgres://${cred}@${hostPort}`
  }
  if (isRedisLike(c)) return `redis://${hostPort}`
  return hostPort
}

/** The DEVRIG_* variables one container contributes. */
export function containerDiscoveryEnv(c: DiscoveryInput, opts: DiscoveryOptions = {}): Record<string, string> {
  const prefix = `DEVRIG_${envName(c.name)}`
  const out: Record<string, string> = { [`${prefix}_HOST`]: containerHost(c) }
  if (c.port) out[`${prefix}_PORT`] = String(c.port.host)
  for (const [name, p] of Object.entries(c.ports)) out[`${prefix}_PORT_${envName(name)}`] = String(p.host)
  const url = containerUrl(c, opts)
  if (url) out[`${prefix}_URL`] = url
  return out
}

/** The DEVRIG_* variables of every container, merged. */
export function dockerDiscoveryEnv(containers: Record<string, DiscoveryInput> | DiscoveryInput[], opts: DiscoveryOptions = {}): Record<string, string> {
  const list = Array.isArray(containers) ? containers : Object.values(containers)
  return Object.assign({}, ...list.map((c) => containerDiscoveryEnv(c, opts))) as Record<string, string>
}
