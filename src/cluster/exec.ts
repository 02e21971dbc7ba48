/**
 * The one place that spawns k3d, kubectl and helm. Every call gets an explicit environment
 * (see kubeconfig.ts `kubeEnv`) so none of them can fall back to ~/.kube/config.
 */
import { ExternalError } from "../errors.ts"
import type { Argv } from "./argv.ts"
import { requireTool } from "./tools.ts"

export interface RunOptions {
  env: Record<string, string>
  cwd?: string
  stdin?: string
  timeoutMs?: number
  signal?: AbortSignal
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export async function run(argv: Argv, opts: RunOptions): Promise<RunResult> {
  const [tool, ...args] = argv
  const path = requireTool(tool)
  const proc = Bun.spawn([path, ...args], {
    env: opts.env,
    cwd: opts.cwd,
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
    signal: opts.signal,
  })
  const timer = opts.timeoutMs ? setTimeout(() => proc.kill("SIGTERM"), opts.timeoutMs) : undefined
  try {
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    return { code, stdout, stderr }
  } finally {
    if (timer) clearTimeout(timer)
  }
}

/** Runs and throws an ExternalError carrying the tail of stderr when the exit code is not 0. */
export async function runOk(argv: Argv, opts: RunOptions): Promise<RunResult> {
  const res = await run(argv, opts)
  if (res.code !== 0) throw commandError(argv, res)
  return res
}

export function commandError(argv: Argv, res: RunResult): ExternalError {
  const shown = argv.slice(0, 4).join(" ")
  const tail = (res.stderr.trim() || res.stdout.trim()).split("\n").slice(-15)
  return new ExternalError(`${shown} failed (exit ${res.code})`, { details: tail })
}
