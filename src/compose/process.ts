/**
 * The one place Compose processes are spawned. Output is split into lines as it arrives so the
 * unified log view sees Compose's own progress and the containers' output interleaved in order.
 */
import { dockerEnv } from "../docker/endpoint.ts"
import { processEnv } from "../env.ts"
import { ExternalError } from "../errors.ts"

export type OutputStream = "stdout" | "stderr"
export type OutputSink = (line: string, stream: OutputStream) => void

export interface Exited {
  code: number
  /** signal that ended the process, if any */
  signal: string | null
  /** last lines of stderr (for error summaries) */
  stderrTail: string[]
  stdout: string
}

export interface SpawnOptions {
  cwd: string
  onOutput?: OutputSink
  /** keep stdout in `Exited.stdout` (for `ps -q`, `config --services`) */
  captureStdout?: boolean
  /** start the child in its own session and process group (setsid) */
  detached?: boolean
  /** called once the child exists, so callers can signal it */
  onSpawn?: (proc: { pid: number; kill(signal?: NodeJS.Signals | number): void }) => void
}

const TAIL = 20

export async function runCompose(argv: readonly string[], o: SpawnOptions): Promise<Exited> {
  let proc: ReturnType<typeof Bun.spawn>
  try {
    proc = Bun.spawn([...argv], { cwd: o.cwd, env: _env(), stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: o.detached ?? false })
  } catch (cause) {
    // ENOENT for the executable itself: detection said it existed, so it vanished meanwhile.
    throw new ExternalError(`compose: could not run ${argv[0]}`, { cause })
  }
  o.onSpawn?.({ pid: proc.pid, kill: (s) => proc.kill(s) })
  const tail: string[] = []
  let stdout = ""
  const pumps = [
    _pump(proc.stdout as ReadableStream<Uint8Array>, (line) => {
      if (o.captureStdout) stdout += `${line}\n`
      o.onOutput?.(line, "stdout")
    }),
    _pump(proc.stderr as ReadableStream<Uint8Array>, (line) => {
      tail.push(line)
      if (tail.length > TAIL) tail.shift()
      o.onOutput?.(line, "stderr")
    }),
  ]
  const code = await proc.exited
  await Promise.all(pumps)
  return { code, signal: proc.signalCode === null ? null : String(proc.signalCode), stderrTail: tail, stdout }
}

/** Compose talks to the engine devrig found (context, Docker Desktop socket, …), not its own guess. */
function _env(): Record<string, string> {
  return { ...processEnv(), ...dockerEnv() }
}

async function _pump(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder()
  let buf = ""
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true })
    let nl = buf.indexOf("\n")
    while (nl >= 0) {
      onLine(buf.slice(0, nl).replace(/\r$/, ""))
      buf = buf.slice(nl + 1)
      nl = buf.indexOf("\n")
    }
  }
  buf += decoder.decode()
  if (buf.length > 0) onLine(buf.replace(/\r$/, ""))
}

/** True when the command can be started and exits 0 (used to probe for Compose). */
export async function succeeds(argv: readonly string[]): Promise<boolean> {
  try {
    const proc = Bun.spawn([...argv], { env: _env(), stdin: "ignore", stdout: "ignore", stderr: "ignore", timeout: 15_000 })
    return (await proc.exited) === 0
  } catch {
    return false
  }
}
