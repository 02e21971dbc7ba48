/** What `ps` shows when no supervisor runs: every configured component as stopped (or leftover). */
import type { LoadedConfig } from "../config/load.ts"
import { readState } from "../project/state.ts"
import type { ComponentStatus } from "../status.ts"
import { isAlive } from "./proc.ts"

export async function offlineStatus(loaded: LoadedConfig): Promise<ComponentStatus[]> {
  const state = readState(loaded.identity.root)
  const out: ComponentStatus[] = []
  for (const [name, s] of Object.entries(loaded.config.services ?? {})) {
    const g = state.groups[name]
    const alive = g && isAlive(g.pid, g.startTime)
    const port = s.port === "auto" ? state.autoPorts[`services.${name}`] : s.port
    out.push({ name, kind: "service", state: alive ? "running" : "stopped", pid: alive ? g.pid : undefined, port, autoPort: s.port === "auto" || undefined, restarts: 0, error: alive ? "left over from a supervisor that is gone; `devrig stop` ends it" : undefined })
  }
  for (const name of Object.keys(loaded.config.docker ?? {})) out.push({ name, kind: "docker", state: "stopped", restarts: 0 })
  return out
}
