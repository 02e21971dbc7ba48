/**
 * Host port checks: is a port free, and who holds it (for collision messages).
 */
import { createServer } from "node:net"
import { basename } from "node:path"
import { commandLine as _commandLine, portHolder as _portHolder } from "../platform/process.ts"

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

/** The process listening on `port` (asked through src/platform: /proc on Linux, lsof elsewhere). */
export function portHolder(port: number): PortHolder | undefined {
  const holder = _portHolder(port)
  return holder && { pid: holder.pid, command: commandLine(holder.pid) }
}

export function commandLine(pid: number): string {
  return formatCommand(_commandLine(pid).split(" "))
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
