/**
 * Host port checks: is a port free, and who holds it (from /proc, for collision messages).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import { createServer } from "node:net"
import { basename } from "node:path"

/** True when nothing listens on `port` (checked on 0.0.0.0, which conflicts with any address). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once("error", () => resolve(false))
    s.listen({ port, host: "0.0.0.0", exclusive: true }, () => s.close(() => resolve(true)))
  })
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export async function isPortOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: host, port, socket: { data() {}, error() {} } })
    socket.end()
    return true
  } catch {
    return false
  }
}

export interface PortHolder {
  pid: number
  command: string
}

/** The process listening on `port`, found through /proc/net/tcp{,6} and /proc/<pid>/fd. */
export function portHolder(port: number): PortHolder | undefined {
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
  if (!inodes.size) return undefined
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${entry}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      let target = ""
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`)
      } catch {
        continue
      }
      const m = /^socket:\[(\d+)\]$/.exec(target)
      if (m && inodes.has(m[1]!)) return { pid: Number(entry), command: commandLine(Number(entry)) }
    }
  }
  return undefined
}

export function commandLine(pid: number): string {
  try {
    return formatCommand(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean))
  } catch {
    return "?"
  }
}

/** Longest command shown in a message, in characters. */
export const COMMAND_WIDTH = 60

/**
 * A process's argv as one short line for a message: the program's name (the pid in the message
 * finds the rest) and its first arguments, every run of whitespace (a `python -c` script's
 * newlines) folded to one space, cut at `width` with "…".
 */
export function formatCommand(argv: string[], width = COMMAND_WIDTH): string {
  const [program, ...args] = argv
  const line = [program && basename(program), ...args].map((a) => (a ?? "").replace(/\s+/g, " ").trim()).filter(Boolean).join(" ")
  if (!line) return "?"
  return line.length <= width ? line : `${line.slice(0, width - 1).trimEnd()}…`
}
