/** What `ps` shows when no supervisor runs: every configured component as stopped (or leftover). */
import type { LoadedConfig } from "../config/load.ts"
import { readState } from "../project/state.ts"
import type { ComponentStatus } from "../status.ts"
import { isAlive } from "../platform/process.ts"

export async function offlineStatus(loaded: LoadedConfig): Promise<ComponentStatus[]> {
  const state = readState(loaded.identity.root)
  const out: ComponentStatus[] = []
  for (const [name, s] of Object.entries(loaded.config.services ?? {})) {
    const g = state.groups[name]
    const alive = g && isAlive(g.pid, g.startTime)
    const port = s.port === "auto" ? state.autoPorts[`services.${name}`] : s.port
    out.push({ name, kind: "service", state: alive ? "running" : "stopped", pid: alive ? g.pid : undefined, port, autoPort: s.port === "auto" || undefined, restarts: 0, error: alive ? "left over from a supervisor that is gone; `devrig stop` ends it" : undefined })
  }
  const containers = await containerStates(loaded.identity.slug, Object.keys(loaded.config.docker ?? {}).length > 0)
  for (const [name, d] of Object.entries(loaded.config.docker ?? {})) {
    const running = containers.get(name) === "running"
    const port = d.port === "auto" ? state.autoPorts[`docker.${name}`] : d.port
    out.push({ name, kind: "docker", state: running ? "running" : "stopped", port, autoPort: d.port === "auto" || undefined, restarts: 0, error: running ? "running without a supervisor; `devrig stop` stops it" : undefined })
  }
  return out
}

/** Container states by config name, from the engine (empty when it is not reachable). */
async function containerStates(slug: string, needed: boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  if (!needed) return out
  try {
    const { listContainers } = await import("../docker/containers.ts")
    for (const c of await listContainers({ label: [`devrig.project=${slug}`] })) out.set(c.labels["devrig.service"] ?? c.name, c.state)
  } catch {
    // Docker not running: every container reads as stopped.
  }
  return out
}
