/**
 * Config hot reload: what changed between two resolved configs. A service counts as changed when
 * anything its process sees changes (command, cwd, port, its full devrig-provided environment —
 * so a moved port of a dependency restarts the services that read DEVRIG_<DEP>_PORT); a
 * container when its resolved definition changes. Pure, so it is tested on its own.
 */
import type { ResolvedConfig } from "../config/resolved.ts"
import { devrigEnv, type DiscoveryExtras } from "./env.ts"

export interface ConfigDiff {
  services: { added: string[]; removed: string[]; changed: string[] }
  docker: { added: string[]; removed: string[]; changed: string[] }
  /** changes devrig cannot apply while running (compose, cluster, dashboard, project) */
  needsRestart: string[]
}

export function diffConfigs(a: ResolvedConfig, b: ResolvedConfig, extras: DiscoveryExtras = {}): ConfigDiff {
  const serviceKey = (cfg: ResolvedConfig, name: string) => {
    const s = cfg.services[name]!
    return JSON.stringify({ ...s, env: devrigEnv(cfg, s, extras) })
  }
  const containerKey = (cfg: ResolvedConfig, name: string) => JSON.stringify(cfg.docker[name])
  const needsRestart: string[] = []
  for (const key of ["compose", "cluster", "dashboard"] as const) if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) needsRestart.push(`[${key}]`)
  if (a.identity.slug !== b.identity.slug) needsRestart.push("[project] name")
  return {
    services: diff(Object.keys(a.services), Object.keys(b.services), (n) => serviceKey(a, n) !== serviceKey(b, n)),
    docker: diff(Object.keys(a.docker), Object.keys(b.docker), (n) => containerKey(a, n) !== containerKey(b, n)),
    needsRestart,
  }
}

function diff(before: string[], after: string[], changed: (name: string) => boolean) {
  const had = new Set(before)
  const has = new Set(after)
  return {
    added: after.filter((n) => !had.has(n)).sort(),
    removed: before.filter((n) => !has.has(n)).sort(),
    changed: after.filter((n) => had.has(n) && changed(n)).sort(),
  }
}

export function describeDiff(d: ConfigDiff): string {
  const parts: string[] = []
  const add = (verb: string, names: string[]) => names.length && parts.push(`${verb} ${names.join(", ")}`)
  add("restarted", [...d.services.changed, ...d.docker.changed])
  add("started", [...d.services.added, ...d.docker.added])
  add("stopped", [...d.services.removed, ...d.docker.removed])
  if (d.needsRestart.length) parts.push(`${d.needsRestart.join(", ")} changed: restart devrig to apply`)
  return parts.length ? parts.join("; ") : "nothing to apply"
}
