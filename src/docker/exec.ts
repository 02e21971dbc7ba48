/**
 * Commands inside a running container: captured (ready checks, init scripts) or interactive with a
 * real TTY (`devrig exec postgres`).
 */
import type { Duplex } from "node:stream"
import { ExternalError } from "../errors.ts"
import { openHijacked, request } from "./client.ts"
import { LineDemuxer, type StdStream } from "./logs.ts"

export interface ExecOptions {
  user?: string
  env?: Record<string, string>
  workdir?: string
  /** written to the command's stdin, which is then closed */
  stdin?: string
  /** give up after this long; the result then has `timedOut` (the process may keep running) */
  timeoutMs?: number
}

export interface ExecResult {
  /** -1 when the command timed out */
  exitCode: number
  /** stdout and stderr interleaved, as the command wrote them */
  output: string
  stdout: string
  stderr: string
  timedOut: boolean
}

interface ExecCreate {
  Cmd: string[]
  AttachStdin: boolean
  AttachStdout: true
  AttachStderr: true
  Tty: boolean
  User?: string
  Env?: string[]
  WorkingDir?: string
}

async function _create(container: string, body: ExecCreate): Promise<string> {
  const res = await request<{ Id: string }>({
    method: "POST",
    path: `/containers/${container}/exec`,
    body,
    doing: `running \`${body.Cmd.join(" ")}\` in ${container}`,
  })
  return res.Id
}

async function _exitCode(execId: string): Promise<number> {
  // The stream can end a moment before the engine records the exit code.
  for (let i = 0; i < 50; i++) {
    const info = await request<{ Running: boolean; ExitCode: number | null }>({ method: "GET", path: `/exec/${execId}/json`, doing: "reading an exec's exit code" })
    if (!info.Running && info.ExitCode !== null) return info.ExitCode
    await Bun.sleep(20)
  }
  throw new ExternalError("Docker did not report the exit code of a finished exec")
}

function _envList(env?: Record<string, string>): string[] | undefined {
  return env && Object.entries(env).map(([k, v]) => `${k}=${v}`)
}

/** Runs `argv` in the container and returns its exit code and output. */
export async function execRun(container: string, argv: string[], o: ExecOptions = {}): Promise<ExecResult> {
  const id = await _create(container, {
    Cmd: argv,
    AttachStdin: o.stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: o.user,
    Env: _envList(o.env),
    WorkingDir: o.workdir,
  })
  const socket = await openHijacked(
    { method: "POST", path: `/exec/${id}/start`, body: { Detach: false, Tty: false }, doing: `running \`${argv.join(" ")}\` in ${container}`, ok: [101, 200] },
    o.stdin !== undefined,
  )
  const parts: Record<StdStream | "all", string[]> = { stdout: [], stderr: [], all: [] }
  const demux = new LineDemuxer((s, line) => {
    parts[s].push(line)
    parts.all.push(line)
  })
  let timedOut = false
  await new Promise<void>((resolve) => {
    const timer = o.timeoutMs ? setTimeout(() => ((timedOut = true), socket.destroy(), resolve()), o.timeoutMs) : undefined
    const finish = () => {
      clearTimeout(timer)
      resolve()
    }
    socket.on("data", (chunk: Buffer) => demux.push(chunk))
    socket.on("end", finish)
    socket.on("close", finish)
    socket.on("error", finish)
    if (o.stdin !== undefined) {
      // Half-close: the command sees EOF on stdin while its output keeps flowing back.
      socket.write(o.stdin)
      socket.end()
    }
  })
  demux.end()
  socket.destroy()
  const exitCode = timedOut ? -1 : await _exitCode(id)
  return { exitCode, output: parts.all.join("\n"), stdout: parts.stdout.join("\n"), stderr: parts.stderr.join("\n"), timedOut }
}

/** The terminal side of an interactive exec; process.stdin/stdout unless a test swaps them. */
export interface Terminal {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number; on(ev: "resize", fn: () => void): unknown; off(ev: "resize", fn: () => void): unknown }
}

/**
 * Attaches the terminal to `argv` in the container with a TTY (raw mode, window size kept in
 * sync) and resolves with the command's exit code.
 */
export async function execInteractive(
  container: string,
  argv: string[],
  o: { user?: string; env?: Record<string, string>; terminal?: Terminal } = {},
): Promise<number> {
  const term: Terminal = o.terminal ?? { stdin: process.stdin, stdout: process.stdout }
  const tty = !!term.stdin.isTTY
  const id = await _create(container, {
    Cmd: argv,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    User: o.user,
    Env: _envList({ TERM: "xterm-256color", ...o.env }),
  })
  const socket: Duplex = await openHijacked(
    { method: "POST", path: `/exec/${id}/start`, body: { Detach: false, Tty: true }, doing: `attaching to \`${argv.join(" ")}\` in ${container}`, ok: [101, 200] },
    true,
  )
  const resize = async () => {
    const { columns, rows } = term.stdout
    if (!columns || !rows) return
    await request({ method: "POST", path: `/exec/${id}/resize`, query: { h: rows, w: columns }, doing: "resizing the terminal" }).catch(() => {})
  }
  const onResize = () => void resize()
  // Sized before any input flows, so the first command already sees the real window.
  await resize()
  const onInput = (chunk: Buffer | string) => socket.write(chunk)
  const onInputEnd = () => socket.end()
  if (tty) term.stdin.setRawMode?.(true)
  term.stdin.on("data", onInput)
  term.stdin.on("end", onInputEnd)
  term.stdin.resume()
  term.stdout.on("resize", onResize)
  try {
    await new Promise<void>((resolve) => {
      // With a TTY the engine sends raw bytes, not multiplexed frames.
      socket.on("data", (chunk: Buffer) => term.stdout.write(chunk))
      socket.on("end", resolve)
      socket.on("close", resolve)
      socket.on("error", resolve)
    })
  } finally {
    term.stdin.off("data", onInput)
    term.stdin.off("end", onInputEnd)
    term.stdout.off("resize", onResize)
    if (tty) term.stdin.setRawMode?.(false)
    term.stdin.pause()
    socket.destroy()
  }
  return _exitCode(id)
}
