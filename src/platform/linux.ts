/**
 * The Linux backend: everything from /proc, no child processes. Start times are clock ticks since
 * boot (field 22 of /proc/<pid>/stat).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import type { Backend, ProcessEntry } from "./backend.ts"

/** The fields after `comm` (which may contain spaces and parentheses: split after the last ")"). */
function _statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  } catch {
    return undefined
  }
}

function _pids(): number[] {
  try {
    return readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number)
  } catch {
    return []
  }
}

/** Socket inodes listening on `port`, from /proc/net/tcp{,6} (state 0A = LISTEN). */
function _listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>()
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = ""
    try {
      text = readFileSync(file, "utf8")
    } catch {
      continue
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 10 || cols[3] !== "0A") continue
      if (parseInt(cols[1]!.split(":")[1]!, 16) === port) inodes.add(cols[9]!)
    }
  }
  return inodes
}

export const linux: Backend = {
  name: "linux",

  table() {
    const out: ProcessEntry[] = []
    for (const pid of _pids()) {
      const f = _statFields(pid)
      if (f) out.push({ pid, ppid: Number(f[1]), pgid: Number(f[2]), zombie: f[0] === "Z" })
    }
    return out
  },

  stat(pid) {
    const f = _statFields(pid)
    return f ? { zombie: f[0] === "Z", startTime: Number(f[19]) } : undefined
  },

  withEnv(assignment, prefix) {
    const needle = prefix ? `\0${assignment}` : `\0${assignment}\0`
    const out: number[] = []
    for (const pid of _pids()) {
      if (pid === process.pid) continue
      let environ: string
      try {
        environ = readFileSync(`/proc/${pid}/environ`, "latin1")
      } catch {
        continue
      }
      if (`\0${environ}\0`.includes(needle) && _statFields(pid)?.[0] !== "Z") out.push(pid)
    }
    return out
  },

  withArg(arg) {
    const out: number[] = []
    for (const pid of _pids()) {
      if (pid === process.pid) continue
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(arg)) out.push(pid)
      } catch {}
    }
    return out
  },

  executable(pid) {
    try {
      return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, "")
    } catch {
      return undefined
    }
  },

  commandLine(pid) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ") || "?"
    } catch {
      return "?"
    }
  },

  /** Through /proc/net/tcp{,6} and each process's /proc/<pid>/fd links to those socket inodes. */
  portHolderPid(port) {
    const inodes = _listeningInodes(port)
    if (!inodes.size) return undefined
    for (const pid of _pids()) {
      let fds: string[]
      try {
        fds = readdirSync(`/proc/${pid}/fd`)
      } catch {
        continue
      }
      for (const fd of fds) {
        let target = ""
        try {
          target = readlinkSync(`/proc/${pid}/fd/${fd}`)
        } catch {
          continue
        }
        const m = /^socket:\[(\d+)\]$/.exec(target)
        if (m && inodes.has(m[1]!)) return pid
      }
    }
    return undefined
  },
}
