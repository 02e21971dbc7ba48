/**
 * The OS side of child processes: process groups, PID start times (so a reused PID is never
 * killed), and the run marker. Every process devrig starts carries `DEVRIG_RUN=<slug>/<service>`
 * in its environment; descendants inherit it even when they leave the process group (setsid,
 * double fork), so a scan of /proc finds everything a service left behind — also after devrig
 * itself was SIGKILLed.
 */
import { readdirSync, readFileSync } from "node:fs"

export const RUN_MARKER = "DEVRIG_RUN"

export function runMarker(slug: string, service: string): string {
  return `${slug}/${service}`
}

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // comm (field 2) may contain spaces and parentheses: split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return Number(fields[19])
  } catch {
    return undefined
  }
}

/** Alive and (when a start time is given) the same process that was recorded. */
export function isAlive(pid: number, startTime?: number): boolean {
  if (!pid || pid <= 1) return false
  try {
    process.kill(pid, 0)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false
  }
  if (isZombie(pid)) return false
  return startTime === undefined || processStartTime(pid) === startTime
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z"
  } catch {
    return false
  }
}

/** Members of a process group that are still running (zombies don't count). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = []
  for (const entry of listPids()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (Number(fields[2]) === pgid && fields[0] !== "Z") out.push(entry)
    } catch {}
  }
  return out
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

/** PIDs whose environment carries DEVRIG_RUN=<slug>/<service> (or any service of slug). */
export function markedProcesses(slug: string, service?: string): number[] {
  const exact = service ? `${RUN_MARKER}=${runMarker(slug, service)}\0` : undefined
  const prefix = `${RUN_MARKER}=${slug}/`
  const out: number[] = []
  for (const pid of listPids()) {
    if (pid === process.pid) continue
    let environ: string
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "latin1")
    } catch {
      continue
    }
    const hit = exact ? (environ + "\0").includes(exact) : environ.includes(prefix)
    if (hit && !isZombie(pid)) out.push(pid)
  }
  return out
}

/** PIDs whose command line has `arg` as one of its arguments (e.g. a compose project name). */
export function pidsWithArg(arg: string): number[] {
  const out: number[] = []
  for (const pid of listPids()) {
    if (pid === process.pid) continue
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(arg)) out.push(pid)
    } catch {}
  }
  return out
}

function listPids(): number[] {
  try {
    return readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number)
  } catch {
    return []
  }
}

/**
 * Ends a process group and every marked straggler: SIGTERM, wait up to `graceMs`, then SIGKILL.
 * Resolves when nothing is left (or after the kill, at most ~1 s later).
 */
export async function terminate(opts: { pgid?: number; slug: string; service: string; graceMs: number }): Promise<void> {
  const remaining = () => {
    const set = new Set(markedProcesses(opts.slug, opts.service))
    if (opts.pgid) for (const p of groupMembers(opts.pgid)) set.add(p)
    return [...set]
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
