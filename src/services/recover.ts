/**
 * Cleanup after a supervisor that died without stopping (SIGKILL, OOM, a closed laptop lid):
 * the process groups recorded in state (PID start times checked, so a reused PID is never
 * killed) and every process still carrying this project's DEVRIG_RUN marker.
 */
import { readState, updateState } from "../project/state.ts"
import { isAlive } from "../platform/process.ts"
import { markedProcesses, terminate } from "./proc.ts"

/** True when a live supervisor of this project is recorded in state. */
export function liveSupervisor(root: string): { pid: number } | undefined {
  const s = readState(root).supervisor
  return s && s.pid !== process.pid && isAlive(s.pid, s.startTime) ? { pid: s.pid } : undefined
}

export async function recoverOrphans(root: string, slug: string, info: (msg: string) => void): Promise<number> {
  const state = readState(root)
  const groups = Object.entries(state.groups).filter(([, g]) => isAlive(g.pid, g.startTime))
  const marked = markedProcesses(slug)
  if (!groups.length && !marked.length) {
    if (Object.keys(state.groups).length || state.supervisor) updateState(root, (s) => ((s.groups = {}), delete s.supervisor))
    return 0
  }
  info(`cleaning up ${groups.length + marked.length} process${groups.length + marked.length === 1 ? "" : "es"} left by a previous run`)
  // terminate() signals each group itself, after noting the group's whole tree: a group signalled
  // first loses its leader, and setsid'd children re-parented away could no longer be found.
  const services = new Set<string>(groups.map(([n]) => n))
  await Promise.all([...services].map((service) => terminate({ pgid: state.groups[service]?.pid, slug, service, graceMs: 3000 })))
  // Anything else still marked for this project (a service no longer in the config, a setsid grandchild).
  for (const pid of markedProcesses(slug)) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {}
  }
  updateState(root, (s) => {
    s.groups = {}
    delete s.supervisor
  })
  return groups.length + marked.length
}
