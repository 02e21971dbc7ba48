/**
 * Runs the compiled binary the way a user does: `devrig(args, { cwd, env })` spawns dist/devrig
 * and collects its exit code and output. Build it first (`./scripts/build`; `./scripts/test` does).
 * `tempProject(toml)` makes a fresh directory per call, so tests run in parallel without sharing
 * a path, a slug or a state file.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

export const ROOT = join(import.meta.dir, "..", "..")
export const BIN = join(ROOT, "dist", "devrig")

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  cwd?: string
  /** merged over the test process's environment; `undefined` removes a variable */
  env?: Record<string, string | undefined>
  stdin?: string
}

function requireBinary(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run ./scripts/build before the CLI tests`)
}

function mergedEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, ...extra }
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
}

export async function devrig(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  requireBinary()
  const proc = Bun.spawn([BIN, ...args], {
    cwd: opts.cwd ?? tmpdir(),
    env: mergedEnv(opts.env),
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
  })
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { exitCode, stdout, stderr }
}

/**
 * Runs devrig under a pseudo-terminal (util-linux `script`), for what only happens on a TTY:
 * colours. stdout and stderr arrive merged, with CRLF line ends.
 */
export async function devrigTty(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  requireBinary()
  const quoted = [BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ")
  const proc = Bun.spawn(["script", "-qec", quoted, "/dev/null"], {
    cwd: opts.cwd ?? tmpdir(),
    env: mergedEnv(opts.env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { exitCode, stdout, stderr }
}

const created: string[] = []
process.on("exit", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true })
})

export interface TempProject {
  /** canonical path of the directory */
  dir: string
  /** writes a file relative to the project (parents created) and returns its path */
  write(rel: string, content: string): string
}

/** A unique temp directory, with `devrig.toml` written when `toml` is given. */
export function tempProject(toml?: string, files: Record<string, string> = {}): TempProject {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "devrig-test-")))
  created.push(dir)
  const write = (rel: string, content: string) => {
    const p = join(dir, rel)
    mkdirSync(dirname(p), { recursive: true })
    writeFileSync(p, content)
    return p
  }
  if (toml !== undefined) write("devrig.toml", toml)
  for (const [rel, content] of Object.entries(files)) write(rel, content)
  return { dir, write }
}

/** True when the text carries a JavaScript stack frame ("    at fn (file:1:2)"). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(].*\d+:\d+\)?$/m.test(text) || /\n\s+at <anonymous>/.test(text)
}

export const ANSI = /\x1b\[[0-9;]*m/
