/**
 * Container output. devrig never creates TTY containers, so logs and exec output always arrive
 * multiplexed: frames of an 8-byte header (stream type, 3 zero bytes, big-endian length) + payload.
 */
import { openStream } from "./client.ts"

export type StdStream = "stdout" | "stderr"
export type LineHandler = (stream: StdStream, line: string) => void

/**
 * Splits a multiplexed byte stream into lines per stream. Frames and lines may be cut anywhere
 * between chunks; a partial line is held until its newline (or `end()`).
 */
export class LineDemuxer {
  private buf = Buffer.alloc(0)
  private partial: Record<StdStream, string> = { stdout: "", stderr: "" }
  private readonly decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() }

  constructor(private readonly onLine: LineHandler) {}

  push(chunk: Uint8Array): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk)
    while (this.buf.length >= 8) {
      const type = this.buf[0]
      const len = this.buf.readUInt32BE(4)
      if (this.buf.length < 8 + len) break
      const payload = this.buf.subarray(8, 8 + len)
      this.buf = this.buf.subarray(8 + len)
      // 0 is stdin (never sent back); anything that is not stderr is treated as stdout.
      this._text(type === 2 ? "stderr" : "stdout", payload)
    }
  }

  end(): void {
    for (const s of ["stdout", "stderr"] as const) {
      const rest = this.partial[s] + this.decoders[s].decode()
      this.partial[s] = ""
      if (rest) this.onLine(s, rest.replace(/\r$/, ""))
    }
  }

  private _text(stream: StdStream, bytes: Uint8Array): void {
    const text = this.partial[stream] + this.decoders[stream].decode(bytes, { stream: true })
    const lines = text.split("\n")
    this.partial[stream] = lines.pop() ?? ""
    for (const l of lines) this.onLine(stream, l.replace(/\r$/, ""))
  }
}

/** Docker's `since`: RFC 3339 with nanoseconds → "seconds.nanoseconds", precise to the start. */
export function sinceParam(rfc3339: string): string | undefined {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(rfc3339)
  if (!m) return undefined
  const secs = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000)
  if (!Number.isFinite(secs) || secs <= 0) return undefined
  return `${secs}.${(m[2] ?? "").padEnd(9, "0").slice(0, 9)}`
}

export interface LogFollower {
  stop(): void
  /** resolves when the stream ends: the container stopped, or `stop()` was called */
  done: Promise<void>
}

export interface FollowOptions {
  /** only output since this time (RFC 3339, e.g. the previous run's FinishedAt) */
  since?: string
  /** start with the last N lines (default: all since `since`) */
  tail?: number
}

/** Streams a container's output line by line until it stops or `stop()` is called. */
export async function followLogs(id: string, onLine: LineHandler, o: FollowOptions = {}): Promise<LogFollower> {
  const controller = new AbortController()
  const stream = await openStream({
    method: "GET",
    path: `/containers/${id}/logs`,
    query: { follow: true, stdout: true, stderr: true, since: o.since && sinceParam(o.since), tail: o.tail ?? "all" },
    doing: `following the logs of ${id}`,
    signal: controller.signal,
  })
  const demux = new LineDemuxer(onLine)
  const done = new Promise<void>((resolve) => {
    let finished = false
    const finish = () => {
      if (finished) return
      finished = true
      demux.end()
      resolve()
    }
    stream.on("data", (chunk: Buffer) => demux.push(chunk))
    stream.on("end", finish)
    stream.on("close", finish)
    // An aborted or broken stream just ends the follow; the caller decides what that means.
    stream.on("error", finish)
  })
  return {
    stop: () => {
      controller.abort()
      stream.destroy()
    },
    done,
  }
}

export interface LogLine {
  stream: StdStream
  line: string
}

/** The last `n` lines of output (both streams, in order). */
export async function lastLines(id: string, n: number, since?: string): Promise<LogLine[]> {
  const stream = await openStream({
    method: "GET",
    path: `/containers/${id}/logs`,
    query: { follow: false, stdout: true, stderr: true, tail: n, since: since && sinceParam(since) },
    doing: `reading the logs of ${id}`,
  })
  const out: LogLine[] = []
  const demux = new LineDemuxer((s, line) => out.push({ stream: s, line }))
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => demux.push(chunk))
    stream.on("end", resolve)
    stream.on("error", reject)
  })
  demux.end()
  return out.slice(-n)
}
