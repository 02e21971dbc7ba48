/**
 * The environment each service process gets:
 *   the user's environment
 *   < DEVRIG_<NAME>_HOST/_PORT/_URL of every service, container and compose service
 *   < OTEL_* and DEVRIG_DASHBOARD_URL (when the dashboard runs)
 *   < PORT/HOST of its own port
 *   < [env], env files and the service's own `env` (explicit config always wins)
 * plus the DEVRIG_RUN marker that lets devrig find everything the service leaves behind.
 */
import type { ResolvedConfig, ResolvedService } from "../config/resolved.ts"
import { processEnv } from "../env.ts"
import type { DashboardInfo } from "../status.ts"
import { dockerDiscoveryEnv, envName, MASK, type DiscoveryOptions } from "../docker/urls.ts"
import { RUN_MARKER, runMarker } from "./proc.ts"
import { hasTemplate, renderTemplate } from "../config/template.ts"

export interface DiscoveryExtras {
  /** compose service → published host port */
  composePorts?: Record<string, number>
  dashboard?: DashboardInfo
}

/** DEVRIG_<NAME>_* for every component (the same set for every service). */
export function discoveryVars(cfg: ResolvedConfig, extras: DiscoveryExtras = {}, opts: DiscoveryOptions = {}): Record<string, string> {
  const out: Record<string, string> = {}
  for (const s of Object.values(cfg.services)) {
    const n = envName(s.name)
    out[`DEVRIG_${n}_HOST`] = "localhost"
    if (s.port) {
      out[`DEVRIG_${n}_PORT`] = String(s.port)
      out[`DEVRIG_${n}_URL`] = `http://localhost:${s.port}`
    }
  }
  Object.assign(out, dockerDiscoveryEnv(cfg.docker, opts))
  for (const [name, port] of Object.entries(extras.composePorts ?? {})) {
    const n = envName(name)
    out[`DEVRIG_${n}_HOST`] = "localhost"
    out[`DEVRIG_${n}_PORT`] = String(port)
    out[`DEVRIG_${n}_URL`] = `localhost:${port}`
  }
  return out
}

export function telemetryVars(service: string, dashboard: DashboardInfo | undefined): Record<string, string> {
  if (!dashboard) return {}
  return {
    DEVRIG_DASHBOARD_URL: dashboard.url,
    // 127.0.0.1, not localhost: the receivers listen on IPv4 loopback only, and some clients
    // resolve localhost to ::1 first.
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${dashboard.httpPort}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_SERVICE_NAME: service,
  }
}

/** What devrig adds on top of the user's environment, in precedence order. */
export function devrigEnv(cfg: ResolvedConfig, s: ResolvedService, extras: DiscoveryExtras = {}, opts: DiscoveryOptions = {}): Record<string, string> {
  return {
    ...discoveryVars(cfg, extras, opts),
    ...telemetryVars(s.name, extras.dashboard),
    ...(s.port ? { PORT: String(s.port), HOST: "localhost" } : {}),
    ...renderComposeRefs(s.env, extras.composePorts ?? {}),
  }
}

/** `{{ compose.X.port }}` can only be rendered once the compose stack published its ports. */
function renderComposeRefs(env: Record<string, string>, ports: Record<string, number>): Record<string, string> {
  const values = Object.fromEntries(Object.entries(ports).map(([n, p]) => [`compose.${n}.port`, p]))
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) out[k] = hasTemplate(v) ? renderTemplate(v, values, () => true) : v
  return out
}

/**
 * devrigEnv for reading (devrig env, /api/env, the dashboard, crash reports): values from env
 * files are "****", and so is the credential part of discovery URLs built from them
 * (`postgres://app:****@localhost:5432`). showSecrets gives the real values.
 */
export function shownEnv(cfg: ResolvedConfig, s: ResolvedService, extras: DiscoveryExtras = {}, showSecrets = false): Record<string, string> {
  if (showSecrets) return devrigEnv(cfg, s, extras)
  const env = devrigEnv(cfg, s, extras, { mask: true })
  for (const k of s.secretKeys) if (k in env) env[k] = MASK
  return env
}

/** The complete environment of the service's process. */
export function processEnvFor(cfg: ResolvedConfig, s: ResolvedService, extras: DiscoveryExtras = {}): Record<string, string> {
  return { ...processEnv(), ...devrigEnv(cfg, s, extras), [RUN_MARKER]: runMarker(cfg.identity.slug, s.name) }
}
