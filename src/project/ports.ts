/**
 * Host port checks: is a port free, and who holds it (from /proc, for collision messages).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import { createServer } from "node:net"

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
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ").slice(0, 120)
  } catch {
    return "?"
  }
}
