/**
 * Ports for tests that must write a fixed port into devrig.toml.
 *
 * A port the kernel picked (`listen(0)`) and then released is free only for a moment: until
 * devrig binds it, the kernel may hand the same number to any outgoing connection (they draw from
 * the same ephemeral range) and another test may pick it too. So ports come from below the
 * ephemeral range (never handed out implicitly), each is reserved machine-wide with an exclusive
 * file before it is probed (no other test process takes it while this test runs), and it is
 * bound once to prove nothing listens on it now. Reservations are dropped on process exit where
 * the runtime runs exit handlers (`bun test` does not always), and expire after STALE_MS, longer
 * than any test holds a port; the range (~12,700 ports) leaves room for thousands at once.
 */
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, statSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

const DIR = join(tmpdir(), "devrig-test-ports")
const STALE_MS = 10 * 60_000
const mine: string[] = []
process.on("exit", () => {
  for (const f of mine) rmSync(f, { force: true })
})

function ephemeralLow(): number {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || 32768
  } catch {
    return 32768
  }
}

const LOW = 20_000
const HIGH = Math.min(ephemeralLow(), 32768) - 1

function reserve(port: number): boolean {
  mkdirSync(DIR, { recursive: true })
  const f = join(DIR, String(port))
  try {
    closeSync(openSync(f, "wx"))
  } catch {
    try {
      if (Date.now() - statSync(f).mtimeMs < STALE_MS) return false
      rmSync(f, { force: true })
      closeSync(openSync(f, "wx"))
    } catch {
      return false
    }
  }
  mine.push(f)
  return true
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once("error", () => resolve(false))
    s.listen({ port, host: "0.0.0.0", exclusive: true }, () => s.close(() => resolve(true)))
  })
}

/** A port reserved for this test process, outside the ephemeral range, that nothing listens on now. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW))
    if (!reserve(port)) continue
    if (await bindable(port)) return port
  }
  throw new Error(`no free test port in ${LOW}–${HIGH} after 200 attempts`)
}
