/**
 * Config hot reload: what changed between two resolved configs. A service counts as changed when
 * its own definition changes (command, cwd, port, env, checks…) or when a variable devrig gave it
 * now has another value — a moved port of a dependency restarts the services that read
 * DEVRIG_<DEP>_PORT. Variables that only appear or disappear (another service added or removed)
 * don't restart anyone. A container changes when its resolved definition does. Pure.
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
  const serviceChanged = (name: string) => {
    const before = a.services[name]!
    const after = b.services[name]!
    if (JSON.stringify(before) !== JSON.stringify(after)) return true
    const envBefore = devrigEnv(a, before, extras)
    const envAfter = devrigEnv(b, after, extras)
    return Object.keys(envBefore).some((k) => k in envAfter && envBefore[k] !== envAfter[k])
  }
  const containerKey = (cfg: ResolvedConfig, name: string) => JSON.stringify(cfg.docker[name])
  const needsRestart: string[] = []
  for (const key of ["compose", "cluster", "dashboard"] as const) if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) needsRestart.push(`[${key}]`)
  if (a.identity.slug !== b.identity.slug) needsRestart.push("[project] name")
  return {
    services: diff(Object.keys(a.services), Object.keys(b.services), serviceChanged),
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
