// Raw HTTP/1.1 over a socket, so tests can send the Host and Origin headers a browser (or an
// attacker's page after DNS rebinding) would — fetch() does not let a caller forge Host.
import { connect } from "node:net"

export async function rawHttp(port: number, lines: string[], body = ""): Promise<{ status: number; head: string; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1")
    let data = ""
    sock.on("data", (d) => {
      data += d.toString("latin1")
      // an upgrade answer has no end: stop at the head
      if (/^HTTP\/1\.1 101/.test(data) && data.includes("\r\n\r\n")) sock.destroy()
    })
    sock.on("close", () => {
      const [head = "", ...rest] = data.split("\r\n\r\n")
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), head, text: rest.join("\r\n\r\n") })
    })
    sock.on("error", reject)
    sock.on("connect", () => {
      const extra = body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []
      sock.write([...lines, ...extra, "Connection: close", "", body].join("\r\n"))
    })
    setTimeout(() => sock.destroy(), 5000)
  })
}

/** Listening TCP sockets (state 0A) of a process: "ip:port" as the kernel shows them. */
export function listeningAddresses(pid: number): { addr: string; port: number; v6: boolean }[] {
  const { readdirSync, readlinkSync, readFileSync } = require("node:fs") as typeof import("node:fs")
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1]!)
    } catch {}
  }
  const out: { addr: string; port: number; v6: boolean }[] = []
  for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]] as const) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 10 || cols[3] !== "0A" || !inodes.has(cols[9]!)) continue
      const [hexAddr, hexPort] = cols[1]!.split(":") as [string, string]
      out.push({ addr: hexAddr, port: parseInt(hexPort, 16), v6 })
    }
  }
  return out
}

/** /proc/net/tcp writes IPv4 loopback as 0100007F; tcp6 ::1 as 00000000000000000000000001000000. */
export const isLoopback = (a: { addr: string; v6: boolean }) =>
  a.v6 ? a.addr === "00000000000000000000000001000000" || /^0000000000000000FFFF00000[0-9A-F]{2}0{0,1}07F$/.test(a.addr) : a.addr.endsWith("7F")
