/**
 * Host port checks: is a port free, and who holds it (for collision messages).
 */
import { createServer } from "node:net"
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
  return _commandLine(pid).slice(0, 120)
}
