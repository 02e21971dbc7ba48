/**
 * Runs Compose commands: `up` in the foreground (streamed, torn down on interruption) or detached,
 * and the short-lived `down`/`stop`/`ps`/`config` calls. The contract is in
 * docs/adr/004-compose-interop.md; the strings logged in verbose mode are part of it (tested).
 */
import { dirname } from "node:path"
import { type ComposeTarget, downArgv, type DownOptions, formatArgv, psArgv, servicesArgv, stopArgv, upArgv } from "./argv.ts"
import { composeFailure } from "./detect.ts"
import { type Exited, type OutputSink, runCompose, type SpawnOptions } from "./process.ts"

/** How a command line is executed; tests substitute one that records argv. */
export type Runner = (argv: readonly string[], o: SpawnOptions) => Promise<Exited>

/** consola's instance satisfies this, so the CLI can pass its logger straight through. */
export interface ComposeLogger {
  info(message: string): void
  warn(message: string): void
}

export interface RunContext {
  target: ComposeTarget
  /** log the command line, directory and compose file before each command */
  verbose?: boolean
  logger?: ComposeLogger
  /** every line Compose prints (and, in the foreground, the containers' logs) */
  onOutput?: OutputSink
  runner?: Runner
}

export interface UpRunOptions extends RunContext {
  detach: boolean
  noTraefik: boolean
  services?: readonly string[]
  /** interruption (Ctrl+C, `devrig stop`): foreground stacks are signalled, then taken `down` */
  signal?: AbortSignal
  /** how long an interrupted `up` may take before it is killed (default 15 s) */
  escalateMs?: number
}

export type UpResult =
  | { status: "detached" }
  /** foreground Compose exited 0 by itself */
  | { status: "exited" }
  /** the signal fired; `teardownError` is set when the `down` afterwards failed (already logged) */
  | { status: "interrupted"; teardownError?: unknown }

/** Compose resolves relative paths against the file's directory, so that is where it runs. */
export function composeDir(t: ComposeTarget): string {
  return dirname(t.file)
}

/** The exact lines `--verbose` logs before a command runs. */
export function verboseLines(argv: readonly string[], t: ComposeTarget): string[] {
  return [`compose: command: ${formatArgv(argv)}`, `compose: directory: ${composeDir(t)}`, `compose: file: ${t.file}`]
}

export function backgroundMessage(t: ComposeTarget): string {
  return `compose: stack ${t.project} is running in the background`
}

/** How long an interrupted `up` may take to stop its containers before it is killed. */
const ESCALATE_MS = 15_000

export async function composeUp(o: UpRunOptions): Promise<UpResult> {
  if (o.signal?.aborted) return { status: "interrupted" }
  const argv = upArgv(o.target, { detach: o.detach, noTraefik: o.noTraefik, services: o.services })
  let interrupted = false
  let pid: number | undefined
  let escalation: Timer | undefined
  const onAbort = () => {
    interrupted = true
    if (pid === undefined) return
    // The child leads its own process group (see _exec): signal the group so the v2 plugin
    // behind `docker compose` gets it too. A Compose that ignores it is killed, and `down`
    // below takes the stack away all the same.
    const group = pid
    _signalGroup(group, "SIGTERM")
    escalation = setTimeout(() => _signalGroup(group, "SIGKILL"), o.escalateMs ?? ESCALATE_MS)
  }
  o.signal?.addEventListener("abort", onAbort, { once: true })
  let exited: Exited
  try {
    exited = await _exec(argv, o, (p) => {
      pid = p
      if (o.signal?.aborted) onAbort()
    })
  } finally {
    o.signal?.removeEventListener("abort", onAbort)
    clearTimeout(escalation)
  }
  if (interrupted) {
    // What the interrupted `up` left running (containers it was creating, the rest of the group).
    if (pid !== undefined) _signalGroup(pid, "SIGKILL")
    if (o.detach) return { status: "interrupted" }
    try {
      await composeDown({ ...o, onOutput: o.onOutput })
      return { status: "interrupted" }
    } catch (teardownError) {
      o.logger?.warn(`compose: teardown after interruption failed: ${_message(teardownError)}`)
      return { status: "interrupted", teardownError }
    }
  }
  if (exited.code !== 0) throw composeFailure({ argv, code: exited.code, stderrTail: exited.stderrTail, detach: o.detach })
  if (o.detach) {
    o.logger?.info(backgroundMessage(o.target))
    return { status: "detached" }
  }
  return { status: "exited" }
}

export async function composeDown(ctx: RunContext, opts: DownOptions = {}): Promise<void> {
  await _checked(downArgv(ctx.target, opts), ctx)
}

export async function composeStop(ctx: RunContext, services: readonly string[] = []): Promise<void> {
  await _checked(stopArgv(ctx.target, services), ctx)
}

/** Container ids of the project's services (`ps -q`), in Compose's order. */
export async function composePs(ctx: RunContext, services: readonly string[] = []): Promise<string[]> {
  const out = await _checked(psArgv(ctx.target, services), { ...ctx, onOutput: undefined }, true)
  return _lines(out.stdout)
}

/** Service names the compose file declares, sorted. */
export async function composeServices(ctx: RunContext): Promise<string[]> {
  const out = await _checked(servicesArgv(ctx.target), { ...ctx, onOutput: undefined }, true)
  return _lines(out.stdout).sort()
}

async function _checked(argv: string[], ctx: RunContext, captureStdout = false): Promise<Exited> {
  const exited = await _exec(argv, ctx, undefined, captureStdout)
  if (exited.code !== 0) throw composeFailure({ argv, code: exited.code, stderrTail: exited.stderrTail })
  return exited
}

function _exec(argv: string[], ctx: RunContext, onPid?: (pid: number) => void, captureStdout = false): Promise<Exited> {
  if (ctx.verbose) for (const line of verboseLines(argv, ctx.target)) ctx.logger?.info(line)
  // Own session: a terminal's Ctrl+C reaches devrig only, which then signals Compose exactly once
  // (a second signal makes v1 kill the containers instead of stopping them).
  return (ctx.runner ?? runCompose)(argv, {
    cwd: composeDir(ctx.target),
    onOutput: ctx.onOutput,
    captureStdout,
    detached: true,
    onSpawn: (p) => onPid?.(p.pid),
  })
}

function _signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

function _lines(s: string): string[] {
  return s
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
}

function _message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
