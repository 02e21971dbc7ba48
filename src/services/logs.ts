/**
 * Log lines of every component: printed as a unified, colour-coded `name | line` stream (stderr
 * marked) and appended to `.devrig/logs/<name>.log` as JSON lines ({t, s, m}), rotated by size,
 * so `devrig logs` works from another terminal and after a restart.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs"
import { join } from "node:path"

export type Stream = "out" | "err" | "sys"

export interface LogLine {
  /** ISO 8601 */
  t: string
  s: Stream
  /** component name */
  n: string
  m: string
}

const MAX_BYTES = 5 * 1024 * 1024

export class LogFiles {
  private sizes = new Map<string, number>()

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  }

  append(line: LogLine): void {
    const file = join(this.dir, `${safe(line.n)}.log`)
    const text = JSON.stringify({ t: line.t, s: line.s, m: line.m }) + "\n"
    let size = this.sizes.get(file)
    if (size === undefined) size = existsSync(file) ? statSync(file).size : 0
    if (size + text.length > MAX_BYTES) {
      try {
        renameSync(file, `${file}.1`)
      } catch {}
      size = 0
    }
    try {
      appendFileSync(file, text, { mode: 0o600 })
      this.sizes.set(file, size + text.length)
    } catch {
      // A full disk or a deleted .devrig/ must not take the supervisor down with it.
    }
  }
}

const safe = (name: string) => name.replace(/[^a-zA-Z0-9_.-]/g, "_")

/** Component names that have log files. */
export function loggedNames(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".log"))
      .map((f) => f.slice(0, -4))
      .sort()
  } catch {
    return []
  }
}

/** Every stored line of `name` (rotated file first), oldest first. */
export function readLog(dir: string, name: string): LogLine[] {
  const out: LogLine[] = []
  for (const file of [join(dir, `${safe(name)}.log.1`), join(dir, `${safe(name)}.log`)]) {
    let text = ""
    try {
      text = readFileSync(file, "utf8")
    } catch {
      continue
    }
    for (const raw of text.split("\n")) {
      if (!raw) continue
      try {
        const j = JSON.parse(raw) as { t: string; s: Stream; m: string }
        out.push({ t: j.t, s: j.s, n: name, m: j.m })
      } catch {}
    }
  }
  return out
}

/** Lines of several components merged by time. */
export function readMerged(dir: string, names: string[]): LogLine[] {
  return names.flatMap((n) => readLog(dir, n)).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0))
}

/** Splits a byte stream into lines; the last partial line is kept until more arrives. */
export async function forEachLine(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder()
  let buf = ""
  try {
    for await (const chunk of stream) {
      buf += decoder.decode(chunk, { stream: true })
      let i: number
      while ((i = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, i).replace(/\r$/, ""))
        buf = buf.slice(i + 1)
      }
      // A runaway line without newline is flushed in pieces instead of growing forever.
      if (buf.length > 64 * 1024) {
        onLine(buf)
        buf = ""
      }
    }
  } catch {}
  if (buf) onLine(buf)
}
