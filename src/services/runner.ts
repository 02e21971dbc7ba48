/**
 * One service's lifecycle: spawn `sh -c <command>` in its own process group, stream its output,
 * decide readiness, restart it on crash with exponential backoff (1 s doubling, capped at 30 s,
 * reset after 30 s of uptime), and stop it for real (SIGTERM to the group, SIGKILL after the
 * grace period, stragglers found by their DEVRIG_RUN marker).
 *
 * States: pending → starting → running ⇄ restarting → … ; stopping → stopped; exited; failed.
 */
import { existsSync, statSync } from "node:fs"
import type { Subprocess } from "bun"
import type { ResolvedService } from "../config/resolved.ts"
import { isPortFree, isPortOpen } from "../project/ports.ts"
import type { ComponentState, ComponentStatus } from "../status.ts"
import { forEachLine, type Stream } from "./logs.ts"
import { groupExists, processStartTime } from "../platform/process.ts"
import { signalGroup, terminate } from "./proc.ts"
import { attemptServiceCheck, checkTimeout, pollUntil } from "./ready.ts"

export interface RunnerHooks {
  slug: string
  env: () => Record<string, string>
  line: (name: string, stream: Stream, text: string) => void
  changed: (status: ComponentStatus) => void
  recordGroup: (name: string, group: { pid: number; startTime: number } | undefined) => void
  /** lifecycle events (telemetry, crash reports, dependency propagation) */
  event?: (event: "start" | "ready" | "crash" | "restart" | "stop" | "failed", body: string, details?: Record<string, string | number | boolean>) => void
}

const BACKOFF_BASE_MS = 1000
const BACKOFF_MAX_MS = 30_000
const STABLE_MS = 30_000
const TAIL_LINES = 200

export class ServiceRunner {
  readonly status: ComponentStatus
  private proc?: Subprocess
  private stopping = false
  private attempt = 0
  private restartTimer?: Timer
  private startedAt = 0
  private tail: string[] = []
  private readyWaiters: ((ok: boolean) => void)[] = []
  private runId = 0

  constructor(
    readonly svc: ResolvedService,
    private readonly hooks: RunnerHooks,
  ) {
    this.status = { name: svc.name, kind: "service", state: "pending", restarts: 0, port: svc.port, autoPort: svc.autoPort || undefined }
    if (svc.port) this.status.url = `http://localhost:${svc.port}`
  }

  /** Last output lines of the current (or last) run. */
  lastLines(n = 20): string[] {
    return this.tail.slice(-n)
  }

  /** Resolves true once running/ready, false once failed/exited/stopped. */
  waitSettled(): Promise<boolean> {
    if (this.isUp()) return Promise.resolve(true)
    if (this.isDown()) return Promise.resolve(false)
    return new Promise((resolve) => this.readyWaiters.push(resolve))
  }

  isUp(): boolean {
    return this.status.state === "running"
  }

  private isDown(): boolean {
    return ["failed", "exited", "stopped"].includes(this.status.state)
  }

  /** Starts (or starts again after a stop); resolves when spawned. */
  start(): void {
    // Already running or on its way: a second spawn would orphan the first process.
    if (["starting", "running", "restarting", "stopping"].includes(this.status.state)) return
    this.stopping = false
    this.attempt = 0
    this.status.restarts = 0
    this.spawn()
  }

  private set(state: ComponentState, patch: Partial<ComponentStatus> = {}): void {
    const before = this.status.state
    Object.assign(this.status, { state, ...patch })
    if (state !== before) {
      const name = this.svc.name
      if (state === "running") this.hooks.event?.("ready", `${name} is ready`, { pid: this.status.pid ?? 0 })
      else if (state === "failed") this.hooks.event?.("failed", `${name} failed: ${this.status.error ?? "unknown reason"}`, { reason: this.status.error ?? "" })
      else if (state === "stopped") this.hooks.event?.("stop", `${name} stopped`)
    }
    this.hooks.changed({ ...this.status })
    if (this.isUp() || this.isDown()) {
      const waiters = this.readyWaiters.splice(0)
      for (const w of waiters) w(this.isUp())
    }
  }

  private sys(text: string): void {
    this.hooks.line(this.svc.name, "sys", text)
  }

  private spawn(): void {
    const runId = ++this.runId
    this.tail = []
    const cwd = this.svc.cwd
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
      this.sys(`working directory not found: ${cwd}`)
      return this.set("failed", { error: `working directory not found: ${cwd}`, pid: undefined })
    }
    let proc: Subprocess<"ignore", "pipe", "pipe">
    try {
      proc = Bun.spawn(["sh", "-c", this.svc.command], { cwd, env: this.hooks.env(), stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true })
    } catch (e) {
      this.sys(`cannot start: ${(e as Error).message}`)
      return this.set("failed", { error: (e as Error).message, pid: undefined })
    }
    this.proc = proc
    this.startedAt = Date.now()
    const startTime = processStartTime(proc.pid) ?? 0
    this.hooks.recordGroup(this.svc.name, { pid: proc.pid, startTime })
    this.set("starting", { pid: proc.pid, startedAt: new Date().toISOString(), exitCode: undefined, signal: undefined, error: undefined })
    this.hooks.event?.("start", `${this.svc.name} started (pid ${proc.pid})`, { pid: proc.pid, attempt: this.status.restarts })
    const onLine = (stream: Stream) => (text: string) => {
      this.tail.push(text)
      if (this.tail.length > TAIL_LINES) this.tail.shift()
      this.hooks.line(this.svc.name, stream, text)
    }
    void forEachLine(proc.stdout, onLine("out"))
    void forEachLine(proc.stderr, onLine("err"))
    void proc.exited.then((code) => {
      // The shell is gone; whatever it left in its process group (`a & b`) goes with it, so a
      // restart never finds the old run's children still holding its port.
      if (!this.stopping && groupExists(proc.pid)) {
        signalGroup(proc.pid, "SIGTERM")
        setTimeout(() => signalGroup(proc.pid, "SIGKILL"), 500).unref()
      }
      this.onExit(runId, code, proc.signalCode === null ? null : String(proc.signalCode))
    })
    void this.awaitReady(runId)
  }

  private async awaitReady(runId: number): Promise<void> {
    const check = this.svc.readyCheck
    const current = () => runId === this.runId && this.status.state === "starting"
    if (check) {
      const result = await pollUntil(
        () => (current() ? attemptServiceCheck(check, { port: this.svc.port, cwd: this.svc.cwd, env: this.hooks.env(), output: () => this.tail }) : Promise.resolve({ ok: false, detail: "superseded" })),
        checkTimeout(check),
      )
      if (!current()) return
      if (result.ok) return this.set("running")
      this.sys(`ready check failed: ${result.detail}`)
      this.status.error = `ready check (${check.type}) did not pass within ${checkTimeout(check) / 1000}s: ${result.detail}`
      // This run is over: its exit is our doing, not a crash. Without retiring the run id,
      // onExit would see it, restart the service (or mark it "exited") and race "failed".
      this.runId++
      await this.stopProcess()
      this.hooks.recordGroup(this.svc.name, undefined)
      return this.set("failed", { pid: undefined })
    }
    if (this.svc.port) {
      // A port is an implicit tcp ready check with the default timeout; a slow first build
      // (cargo watch) needs an explicit `ready_check = { type = "tcp", timeout = "5m" }`.
      const port = this.svc.port
      const timeoutMs = checkTimeout({ type: "tcp" })
      while (current()) {
        if (await isPortOpen(port)) return this.set("running")
        if (Date.now() - this.startedAt > timeoutMs) {
          this.sys(`port ${port} did not accept connections within ${timeoutMs / 1000}s`)
          this.status.error = `port ${port} did not accept connections within ${timeoutMs / 1000}s (set a ready_check with a longer timeout if it needs more time)`
          this.runId++
          await this.stopProcess()
          this.hooks.recordGroup(this.svc.name, undefined)
          return this.set("failed", { pid: undefined })
        }
        await Bun.sleep(Date.now() - this.startedAt < 2000 ? 25 : 250)
      }
      return
    }
    if (current()) this.set("running")
  }

  private onExit(runId: number, code: number | null, signal: string | null): void {
    if (runId !== this.runId) return
    this.hooks.recordGroup(this.svc.name, undefined)
    const uptime = Date.now() - this.startedAt
    if (this.stopping) return
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`
    this.sys(how)
    const policy = this.svc.restart
    const failed = signal !== null || code !== 0
    if (failed) this.hooks.event?.("crash", `${this.svc.name} ${how}`, { exit_code: code ?? -1, signal: signal ?? "", uptime_ms: uptime })
    // 126/127: the shell could not run the command at all; retrying cannot help.
    if (code === 126 || code === 127) {
      const reason = this.tail.filter((l) => l.trim()).slice(-1)[0] ?? `command not found (exit ${code})`
      return this.set("failed", { pid: undefined, exitCode: code, signal, error: reason })
    }
    if (policy === "never" || (policy === "on-failure" && !failed))
      return this.set(failed ? "failed" : "exited", { pid: undefined, exitCode: code, signal, error: failed ? how : undefined })
    if (uptime >= STABLE_MS) this.attempt = 0
    if (this.status.restarts >= this.svc.maxRestarts) {
      this.sys(`giving up after ${this.status.restarts} restarts`)
      return this.set("failed", { pid: undefined, exitCode: code, signal, error: `${how}; gave up after ${this.status.restarts} restarts` })
    }
    const delay = Math.min(BACKOFF_BASE_MS * 2 ** this.attempt, BACKOFF_MAX_MS)
    this.attempt++
    this.sys(`restarting in ${delay / 1000}s (restart ${this.status.restarts + 1}${this.svc.maxRestarts ? `/${this.svc.maxRestarts}` : ""})`)
    this.set("restarting", { pid: undefined, exitCode: code, signal })
    this.hooks.event?.("restart", `${this.svc.name} restarting in ${delay / 1000}s (attempt ${this.status.restarts + 1})`, { attempt: this.status.restarts + 1, delay_ms: delay })
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined
      if (this.stopping) return
      this.status.restarts++
      this.spawn()
    }, delay)
  }

  private async stopProcess(): Promise<void> {
    const proc = this.proc
    await terminate({ pgid: proc?.pid, slug: this.hooks.slug, service: this.svc.name, graceMs: this.svc.stopTimeoutMs })
    // unref'd: a pending sleep would hold a supervisor that is otherwise done for 2 s
    if (proc) await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 2000).unref())])
  }

  /** Stops for real: the group and marked stragglers are gone and the port is free. */
  async stop(): Promise<void> {
    this.stopping = true
    this.runId++
    if (this.restartTimer) clearTimeout(this.restartTimer)
    this.restartTimer = undefined
    const wasActive = !["stopped", "exited", "failed", "pending"].includes(this.status.state)
    if (wasActive) this.set("stopping")
    await this.stopProcess()
    this.hooks.recordGroup(this.svc.name, undefined)
    if (this.svc.port) for (let i = 0; i < 40 && !(await isPortFree(this.svc.port)); i++) await Bun.sleep(50)
    if (wasActive || this.status.state === "stopping" || this.status.state === "pending") this.set("stopped", { pid: undefined })
  }

  async restart(): Promise<void> {
    await this.stop()
    this.start()
  }
}
