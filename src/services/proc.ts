/**
 * Ending what a service started: its process group, everything descended from it, and every
 * process carrying its run marker. Every process devrig starts carries `DEVRIG_RUN=<slug>/<service>`
 * in its environment; descendants inherit it even when they leave the process group (setsid,
 * double fork), so a scan finds everything a service left behind — also after devrig itself was
 * SIGKILLed. What the OS is asked goes through src/platform/.
 */
import { groupTree, processesWithEnv, processTable } from "../platform/process.ts"

export const RUN_MARKER = "DEVRIG_RUN"

export function runMarker(slug: string, service: string): string {
  return `${slug}/${service}`
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {}
}

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {}
}

/**
 * Live PIDs whose environment carries DEVRIG_RUN=<slug>/<service> (or any service of slug): read
 * from /proc/<pid>/environ on Linux, from `ps -E` / `ps e` elsewhere (docs/adr/009).
 */
export function markedProcesses(slug: string, service?: string): number[] {
  return service ? processesWithEnv(RUN_MARKER, runMarker(slug, service)) : processesWithEnv(RUN_MARKER, `${slug}/`, true)
}

/**
 * Ends a process group and every marked straggler: SIGTERM, wait up to `graceMs`, then SIGKILL.
 * Resolves when nothing is left (or after the kill, at most ~1 s later).
 */
export async function terminate(opts: { pgid?: number; slug: string; service: string; graceMs: number }): Promise<void> {
  // Everything ever seen stays a target while it lives: once the group leader is gone, its
  // setsid'd children are re-parented and no longer found through the tree.
  const seen = new Set<number>()
  const remaining = () => {
    const table = processTable()
    for (const p of markedProcesses(opts.slug, opts.service)) seen.add(p)
    // The group and its descendants by parent pid: found even where the environment is unreadable.
    if (opts.pgid) for (const p of groupTree(opts.pgid, table)) seen.add(p)
    const live = new Set(table.filter((p) => !p.zombie).map((p) => p.pid))
    return [...seen].filter((p) => live.has(p))
  }
  const send = (sig: NodeJS.Signals) => {
    if (opts.pgid) signalGroup(opts.pgid, sig)
    for (const p of remaining()) signalPid(p, sig)
  }
  if (remaining().length === 0) return
  send("SIGTERM")
  const deadline = Date.now() + opts.graceMs
  while (Date.now() < deadline) {
    await Bun.sleep(Math.min(50, Math.max(1, deadline - Date.now())))
    if (remaining().length === 0) return
  }
  send("SIGKILL")
  for (let i = 0; i < 40 && remaining().length > 0; i++) {
    await Bun.sleep(25)
    send("SIGKILL")
  }
}
