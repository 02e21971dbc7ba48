/**
 * Everything devrig asks the OS about processes and ports — and the only place that knows how
 * (see linux.ts for /proc, portable.ts for ps/lsof). The backend is Linux's /proc when it is
 * there, else the portable one; DEVRIG_PLATFORM=portable|linux forces one (for tests).
 */
import { existsSync } from "node:fs"
import { getEnv } from "../env.ts"
import type { Backend, ProcessEntry } from "./backend.ts"
import { isLinux } from "./info.ts"
import { linux } from "./linux.ts"
import { portable } from "./portable.ts"

let _backend: Backend | undefined

export function backend(): Backend {
  if (_backend) return _backend
  const forced = getEnv("DEVRIG_PLATFORM")
  if (forced === "portable") _backend = portable
  else if (forced === "linux") _backend = linux
  else _backend = isLinux() && existsSync("/proc/self/stat") ? linux : portable
  return _backend
}

/** A process's start time in the backend's unit (a PID-reuse guard, compared only for equality). */
export function processStartTime(pid: number): number | undefined {
  return backend().stat(pid)?.startTime
}

/** Alive, not a zombie, and (when a start time is given) the same process that was recorded. */
export function isAlive(pid: number, startTime?: number): boolean {
  if (!pid || pid <= 1) return false
  try {
    process.kill(pid, 0)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false
  }
  const s = backend().stat(pid)
  // No answer (the process just went): only a recorded start time needs one.
  if (!s) return startTime === undefined && _exists(pid)
  if (s.zombie) return false
  return startTime === undefined || s.startTime === startTime
}

function _exists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Every process, one read (zombies flagged), for callers that ask several questions at once. */
export function processTable(): ProcessEntry[] {
  return backend().table()
}

/** True when any process is still in the group (one syscall, no process table: cheap on every backend). */
export function groupExists(pgid: number): boolean {
  if (!pgid || pgid <= 1) return false
  try {
    process.kill(-pgid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * The live members of a process group plus all their descendants (by parent pid), wherever they
 * moved: a child that called setsid() leaves the group but keeps its parent.
 */
export function groupTree(pgid: number, table: ProcessEntry[] = processTable()): number[] {
  const children = new Map<number, number[]>()
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid])
  const live = new Set(table.filter((p) => !p.zombie).map((p) => p.pid))
  const out = new Set<number>()
  const queue = table.filter((p) => p.pgid === pgid).map((p) => p.pid)
  while (queue.length) {
    const pid = queue.pop()!
    if (out.has(pid) || pid === process.pid) continue
    out.add(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return [...out].filter((p) => live.has(p))
}

/** Live processes whose environment has `name=value` (or, with `prefix`, `name=value…`). */
export function processesWithEnv(name: string, value: string, prefix = false): number[] {
  return backend().withEnv(`${name}=${value}`, prefix)
}

/** PIDs whose command line has `arg` as one of its arguments (e.g. a compose project name). */
export function pidsWithArg(arg: string): number[] {
  return backend().withArg(arg)
}

/** The command line on one line (ps prints a newline inside an argument as a space; /proc keeps it). */
export function commandLine(pid: number): string {
  return backend().commandLine(pid).replace(/\s+/g, " ").trim()
}

/** The process listening on TCP `port`, for "port already in use (by …)" messages. */
export function portHolder(port: number): { pid: number; command: string } | undefined {
  const pid = backend().portHolderPid(port)
  return pid === undefined ? undefined : { pid, command: commandLine(pid) }
}

/** The parent of `pid` (undefined when it is gone). */
export function parentPid(pid: number): number | undefined {
  return processTable().find((p) => p.pid === pid)?.ppid
}

/** True when `pid` runs the same program file as this process (e.g. another devrig supervisor). */
export function runsThisProgram(pid: number): boolean {
  const mine = backend().executable(process.pid)
  return !!mine && backend().executable(pid) === mine
}

/** The user's login shell ($SHELL), else /bin/sh. */
export function userShell(): string {
  return getEnv("SHELL") || "/bin/sh"
}
