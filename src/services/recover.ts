/**
 * Cleanup after a supervisor that died without stopping (SIGKILL, OOM, a closed laptop lid):
 * the process groups recorded in state (PID start times checked, so a reused PID is never
 * killed), every process still carrying this project's DEVRIG_RUN marker, and the containers the
 * dead run left running — stopped, as `devrig stop` does, never removed: their data stays, and
 * the next start reuses them.
 */
import { stateDirFor, statePaths } from "../project/identity.ts"
import { listInstances } from "../project/registry.ts"
import { readState, updateState } from "../project/state.ts"
import { isAlive, parentPid, pidsWithArg, runsThisProgram } from "../platform/process.ts"
import { lockHolder } from "./lock.ts"
import { markedProcesses, terminate } from "./proc.ts"

/**
 * The live supervisor of this project, found through every record devrig keeps, so a deleted
 * state file (or lock) never makes a running project look stopped: the lock, the state file, the
 * instance registry (by slug) and the parent of any process carrying the project's run marker.
 */
export function liveSupervisor(root: string, slug?: string): { pid: number } | undefined {
  const mine = (pid: number | undefined, startTime?: number) => !!pid && pid !== process.pid && isAlive(pid, startTime)
  const lock = lockHolder(root)
  if (lock && mine(lock.pid, lock.startTime)) return { pid: lock.pid }
  const s = readState(root).supervisor
  if (s && mine(s.pid, s.startTime)) return { pid: s.pid }
  // The registry knows the slug even when the state file is gone (its entry names the config).
  const dir = statePaths(root).dir
  const inst = listInstances().find((i) => i.running && (slug ? i.slug === slug : stateDirFor(i.configPath) === dir))
  if (inst && mine(inst.pid, inst.startTime)) return { pid: inst.pid! }
  const id = slug ?? readState(root).slug ?? inst?.slug
  if (!id) return undefined
  for (const pid of markedProcesses(id)) {
    const parent = parentPid(pid)
    if (parent && mine(parent) && runsThisProgram(parent)) return { pid: parent }
  }
  return undefined
}

/** PIDs of the watchdog(s) of a config (`devrig __watchdog <configPath> …`). */
export function watchdogPids(configPath: string): number[] {
  const ours = new Set(pidsWithArg(configPath))
  return pidsWithArg("__watchdog").filter((p) => ours.has(p) && p !== process.pid)
}

/**
 * Ends what a dead supervisor left behind — its processes first, then the containers they may
 * have used — and returns how many processes and containers that was.
 */
export async function recoverOrphans(root: string, slug: string, info: (msg: string) => void): Promise<number> {
  const sup = readState(root).supervisor
  const crashed = !!sup && sup.pid !== process.pid && !isAlive(sup.pid, sup.startTime)
  const processes = await _endProcesses(root, slug, info)
  return processes + (crashed ? await _stopLeftContainers(slug, info) : 0)
}

async function _endProcesses(root: string, slug: string, info: (msg: string) => void): Promise<number> {
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

/** Containers of a crashed run still running: stopped, so their ports are free and the next start reuses them. */
async function _stopLeftContainers(slug: string, info: (msg: string) => void): Promise<number> {
  try {
    const { listContainers } = await import("../docker/containers.ts")
    const running = await listContainers({ label: [`devrig.project=${slug}`] }, false)
    if (!running.length) return 0
    info(`stopping ${running.length} container${running.length === 1 ? "" : "s"} left running by a previous run (data kept)`)
    const { stopContainers } = await import("../docker/phase.ts")
    await stopContainers(slug)
    return running.length
  } catch {
    // No Docker here: nothing of ours can be running in it.
    return 0
  }
}
