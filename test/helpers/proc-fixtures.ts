/**
 * Fixtures for the process-supervisor integration tests (test/integration/services): a temp
 * project with its own state dir, runs of the compiled binary in it, waits on conditions with
 * deadlines, and the cleanup proofs every test ends with — no process carrying the project's
 * `DEVRIG_RUN=<slug>/` marker is left and its ports are free.
 *
 * A safety net kills whatever a failed test left behind (supervisor and marked processes) when
 * the test process exits, so one failure never leaks into the next run.
 */
import { expect } from "bun:test"
import { createHash } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { BIN, devrig, tempProject, type RunOptions, type RunResult } from "./cli.ts"

export { BIN }

// ── waiting ───────────────────────────────────────────────────────────────────

/** Polls `fn` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v as NonNullable<T>
      last = v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`)
    await Bun.sleep(intervalMs)
  }
}

// ── ports ─────────────────────────────────────────────────────────────────────

/** A port reserved for this test (see ports.ts: not a kernel pick that races devrig's bind). */
export { freePort } from "./ports.ts"

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once("error", () => resolve(false))
    s.listen({ port, host: "0.0.0.0", exclusive: true }, () => s.close(() => resolve(true)))
  })
}

/** The port can be bound again: whatever held it is gone. */
export async function assertPortFree(port: number | undefined): Promise<void> {
  expect(port, "a port to check").toBeNumber()
  expect(await isPortFree(port!), `port ${port} is still held (by ${holderOf(port!) ?? "?"})`).toBe(true)
}

/** GET http://127.0.0.1:<port>/ → status (0 when nothing answers). */
export async function httpStatus(port: number, path = "/"): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) })
    await res.body?.cancel()
    return res.status
  } catch {
    return 0
  }
}

function holderOf(port: number): string | undefined {
  const inodes = new Set<string>()
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readText(f).split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols[3] === "0A" && parseInt(cols[1]?.split(":")[1] ?? "", 16) === port) inodes.add(cols[9]!)
    }
  }
  for (const pid of pids()) {
    let fds: string[] = []
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
        if (m && inodes.has(m[1]!)) return `pid ${pid}: ${cmdline(pid)}`
      } catch {}
    }
  }
  return undefined
}

// ── processes ─────────────────────────────────────────────────────────────────

function readText(file: string, enc: BufferEncoding = "utf8"): string {
  try {
    return readFileSync(file, enc)
  } catch {
    return ""
  }
}

function pids(): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
}

export function cmdline(pid: number): string {
  return readText(`/proc/${pid}/cmdline`).split("\0").filter(Boolean).join(" ")
}

function isZombie(pid: number): boolean {
  const stat = readText(`/proc/${pid}/stat`)
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z"
}

/** Live (non-zombie) processes whose environment carries DEVRIG_RUN=<slug>/<service>. */
export function markedPids(slug: string, service?: string): number[] {
  const needle = service ? `\0DEVRIG_RUN=${slug}/${service}\0` : `\0DEVRIG_RUN=${slug}/`
  return pids().filter((pid) => pid !== process.pid && ("\0" + readText(`/proc/${pid}/environ`, "latin1") + "\0").includes(needle) && !isZombie(pid))
}

/** Proves no process of this project's run is left (services, their children, setsid grandchildren). */
export function assertNoProcesses(slug: string, service?: string): void {
  const left = markedPids(slug, service).map((p) => `${p}: ${cmdline(p)}`)
  expect(left, `processes of ${slug}${service ? `/${service}` : ""} still running`).toEqual([])
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  return !isZombie(pid)
}

// ── projects ──────────────────────────────────────────────────────────────────

export interface Component {
  name: string
  kind: string
  state: string
  pid?: number
  port?: number
  autoPort?: boolean
  restarts: number
  exitCode?: number | null
  error?: string
  url?: string
}

export interface PsJson {
  project: { name: string; id: string; slug: string; configPath: string }
  running: boolean
  supervisorPid?: number
  components: Component[]
}

export interface Project {
  name: string
  dir: string
  slug: string
  /** the per-project XDG_STATE_HOME (instance registry) */
  xdg: string
  env: Record<string, string>
  write(rel: string, content: string): string
  /** `devrig <args>` in the project directory (or opts.cwd) with the project's state dir */
  run(args: string[], opts?: RunOptions): Promise<RunResult>
  /** `ps --json`, parsed */
  ps(): Promise<PsJson>
  component(name: string): Promise<Component>
  /** waits until `name` is in `state` (per `ps --json`) */
  waitState(name: string, state: string | RegExp, timeoutMs?: number): Promise<Component>
  supervisorPid(): number | undefined
  read(rel: string): string
}

/** The slug devrig derives: `{name}-{sha256(canonical config path)[:8]}`. */
export function slugFor(name: string, configPath: string): string {
  return `${name}-${createHash("sha256").update(realpathSync(configPath)).digest("hex").slice(0, 8)}`
}

const projects: Project[] = []

/**
 * A temp project: `[project] name = <name>` followed by `body`. `xdg` shares an instance registry
 * between projects that must see each other (port owners, `ps --all`); by default each project has
 * its own.
 */
export function project(name: string, body: string, opts: { files?: Record<string, string>; xdg?: string; configName?: string } = {}): Project {
  const t = tempProject(undefined, opts.files)
  const configName = opts.configName ?? "devrig.toml"
  const configPath = t.write(configName, `[project]\nname = "${name}"\n\n${body}`)
  const xdg = opts.xdg ?? join(tempProject().dir, "state")
  mkdirSync(xdg, { recursive: true })
  const env = { XDG_STATE_HOME: xdg, NO_COLOR: "1" }
  const p: Project = {
    name,
    dir: t.dir,
    slug: slugFor(name, configPath),
    xdg,
    env,
    write: t.write,
    run: (args, o = {}) => devrig(args, { cwd: t.dir, ...o, env: { ...env, ...o.env } }),
    async ps() {
      const r = await p.run(["ps", "--json"])
      if (r.exitCode !== 0) throw new Error(`ps --json exited ${r.exitCode}: ${r.stderr}`)
      return JSON.parse(r.stdout) as PsJson
    },
    async component(n) {
      const c = (await p.ps()).components.find((x) => x.name === n)
      if (!c) throw new Error(`no component ${n}`)
      return c
    },
    waitState: (n, state, timeoutMs = 15_000) =>
      waitFor(
        async () => {
          const c = await p.component(n)
          return (typeof state === "string" ? c.state === state : state.test(c.state)) ? c : undefined
        },
        `${n} to be ${state}`,
        timeoutMs,
        100,
      ),
    supervisorPid() {
      try {
        return (JSON.parse(readFileSync(join(t.dir, ".devrig", "state.json"), "utf8")) as { supervisor?: { pid: number } }).supervisor?.pid
      } catch {
        return undefined
      }
    },
    read: (rel) => readText(join(t.dir, rel)),
  }
  projects.push(p)
  return p
}

/**
 * The end of every test: the supervisor is gone, nothing marked for the project runs, the ports
 * are free.
 */
export async function assertCleanedUp(p: Project, ports: (number | undefined)[] = [], supervisorPid?: number): Promise<void> {
  if (supervisorPid) expect(isAlive(supervisorPid), `supervisor ${supervisorPid} still alive`).toBe(false)
  assertNoProcesses(p.slug)
  for (const port of ports) await assertPortFree(port)
}

/** Starts `devrig start -d` and fails the test with its output unless it exits 0. */
export async function startDetached(p: Project, args: string[] = []): Promise<RunResult> {
  const r = await p.run(["start", "-d", ...args])
  if (r.exitCode !== 0) throw new Error(`start -d exited ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}\nsupervisor.log:\n${p.read(".devrig/supervisor.log")}`)
  return r
}

export async function stop(p: Project, args: string[] = []): Promise<RunResult> {
  const r = await p.run(["stop", ...args])
  expect(r.exitCode, `stop: ${r.stderr}`).toBe(0)
  return r
}

/** Lines of a file of timestamps (`date +%s.%N`), as milliseconds. */
export function stamps(p: Project, rel: string): number[] {
  return p
    .read(rel)
    .split("\n")
    .filter(Boolean)
    .map((l) => Number(l.trim()) * 1000)
}

/** KEY=VALUE lines (as written by `env`) of a dumped environment. */
export function envFile(p: Project, rel: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of p.read(rel).split("\n")) {
    const i = line.indexOf("=")
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1)
  }
  return out
}

/** devrig processes (supervisor, watchdog, followers) whose working directory is the project's. */
function devrigProcessesIn(dir: string): number[] {
  return pids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith(BIN + "\0") && readlinkSync(`/proc/${pid}/cwd`).replace(/ \(deleted\)$/, "").startsWith(dir)
    } catch {
      return false
    }
  })
}

/**
 * Safety net for failed tests (call from afterAll; also runs on exit): SIGKILL every devrig
 * process of the projects made here, supervisors first so nothing is restarted, then every
 * process carrying their run marker. Found through /proc, not state (the temp dirs may be gone).
 */
export function killLeftovers(): void {
  for (const p of projects) {
    for (const pid of [p.supervisorPid(), ...devrigProcessesIn(p.dir)]) {
      if (!pid || !isAlive(pid) || !cmdline(pid).startsWith(BIN)) continue
      try {
        process.kill(pid, "SIGKILL")
      } catch {}
    }
    for (const pid of markedPids(p.slug)) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {}
    }
  }
}
process.on("exit", killLeftovers)

/** A long-running `devrig` (foreground start, logs --follow) whose output is collected as it comes. */
export interface LiveRun {
  proc: ReturnType<typeof Bun.spawn>
  output(): string
  /** waits until the combined output matches */
  waitOutput(re: RegExp, timeoutMs?: number): Promise<string>
  exited: Promise<number>
}

export function spawnDevrig(p: Project, args: string[], opts: { cwd?: string } = {}): LiveRun {
  const proc = Bun.spawn([BIN, ...args], { cwd: opts.cwd ?? p.dir, env: { ...process.env, ...p.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" })
  let text = ""
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder()
    for await (const chunk of s) text += dec.decode(chunk, { stream: true })
  }
  const pumps = Promise.all([pump(proc.stdout), pump(proc.stderr)])
  const run: LiveRun = {
    proc,
    output: () => text,
    waitOutput: (re, timeoutMs = 15_000) => waitFor(() => (re.test(text) ? text : undefined), `output matching ${re}`, timeoutMs),
    exited: proc.exited.then(async (code) => (await pumps, code)),
  }
  return run
}
