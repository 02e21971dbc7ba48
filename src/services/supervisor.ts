/**
 * The supervisor: owns one project's run. Pre-flight (orphans, ports), then infrastructure
 * (containers, compose, cluster) next to the dashboard/collector and the services, each component
 * as soon as its own dependencies are ready (schedule.ts), then watch. It is the Controller
 * behind the control socket, the REST API and the dashboard.
 */
import { inspectConfig, resolveWithPorts, type LoadedConfig } from "../config/load.ts"
import type { ResolvedConfig, ResolvedService } from "../config/resolved.ts"
import { describeDiff, type ConfigDiff } from "./reload.ts"
import { Telemetry } from "./events.ts"
import { Reactions } from "./reactions.ts"
import type { TelemetryStore } from "../otel/store.ts"
import { closure } from "../graph/dag.ts"
import { InputError } from "../errors.ts"
import { statePaths } from "../project/identity.ts"
import { markStopped, registerInstance } from "../project/registry.ts"
import { onStateWriteError, readState, recordCursor, updateState, writeLastGood, writeState } from "../project/state.ts"
import type { Action, ComponentStatus, DashboardInfo, StatusSnapshot } from "../status.ts"
import type { Controller, StatusEvent } from "../server/controller.ts"
import { resolvedGraph } from "../config/graph.ts"
import { serveControl, type Phase } from "./control.ts"
import { createToken, removeToken } from "../project/token.ts"
import { processEnvFor, shownEnv } from "./env.ts"
import { LogFiles, type Stream } from "./logs.ts"
import { processStartTime } from "../platform/process.ts"
import { markedProcesses, signalPid, terminate } from "./proc.ts"
import { acquireLock, releaseLock } from "./lock.ts"
import { preflightPorts } from "./preflight.ts"
import { recoverOrphans, watchdogPids } from "./recover.ts"
import { ServiceRunner } from "./runner.ts"
import { Infra } from "./infra.ts"
import { watchConfig } from "./config-watch.ts"
import { spawnWatchdog } from "./watchdog.ts"
import { dockerPortOwner, runLeftovers } from "./teardown.ts"
import { composeRefs, ReadyGate, startConcurrently } from "./schedule.ts"

export interface SupervisorOptions {
  only: string[]
  detached: boolean
  noTraefik?: boolean
  verbose?: boolean
  /** called for every output line of every component */
  onLine: (name: string, stream: Stream, text: string) => void
  /** supervisor messages (phase changes, notices) */
  onInfo: (text: string) => void
  /** the pid of the `start -d` that took the project's lock for this (background) supervisor */
  lockFrom?: number
}

export class Supervisor implements Controller {
  phase: Phase = "starting"
  failure?: { component: string; reason: string; lines: string[] }
  resolved!: ResolvedConfig
  dashboard?: DashboardInfo
  readonly runners = new Map<string, ServiceRunner>()
  private readonly listeners = new Set<(e: StatusEvent) => void>()
  private logs: LogFiles
  private infra!: Infra
  private selected = new Set<string>()
  private stopControl?: () => void
  private shuttingDown?: Promise<void>
  private telemetryStop?: () => Promise<void>
  private ports: Record<string, number> = {}
  private configWatch?: { close(): void }
  /** things the user should know from startup (a default port that moved, …) */
  readonly notices: string[] = []
  private settle!: () => void
  /** resolves when the start is over: everything up, or a failure */
  readonly settled = new Promise<void>((resolve) => (this.settle = resolve))
  readonly telemetry = new Telemetry()
  private store?: TelemetryStore
  private readonly reactions: Reactions
  private lastStates = new Map<string, { state: string; restarts: number }>()
  /** set once this process holds the project's lock: before that, shutdown has nothing to undo */
  private locked = false
  /** an interrupt (Ctrl+C, SIGTERM, `devrig stop`) during the start: every phase winds down */
  private readonly interrupt = new AbortController()
  private starting?: Promise<void>
  private watchdog?: { pid: number; exited: Promise<unknown> }
  private writeFailure = false
  /** services wait here for the infrastructure components they depend on */
  private readonly gate = new ReadyGate((name) => {
    if (!this.infra?.has(name)) return "unknown"
    if (this.infra.isReady(name)) return "ready"
    const s = this.infra.statuses().find((x) => x.name === name)?.state
    return s === "failed" || s === "exited" ? "failed" : "waiting"
  })

  constructor(
    public loaded: LoadedConfig,
    private readonly opts: SupervisorOptions,
  ) {
    this.logs = new LogFiles(statePaths(loaded.identity.root).logs)
    this.reactions = new Reactions({
      root: loaded.identity.root,
      telemetry: this.telemetry,
      store: () => this.store,
      resolved: () => this.resolved,
      extras: () => this.extras(),
      runners: this.runners,
      infraReady: (name) => this.infraReady(name),
      line: this.line,
      info: opts.onInfo,
    })
  }

  private async infraReady(name: string, timeoutMs = 120_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (this.infra.isReady(name)) return true
      const s = this.infra.statuses().find((x) => x.name === name)?.state
      if (s === "failed") return false
      await Bun.sleep(100)
    }
    return false
  }

  get root(): string {
    return this.loaded.identity.root
  }

  line = (name: string, stream: Stream, text: string): void => {
    this.logs.append({ t: new Date().toISOString(), s: stream, n: name, m: text })
    this.telemetry.line(name, stream, text)
    this.opts.onLine(name, stream, text)
  }

  private emit = (component: ComponentStatus): void => {
    if (component.kind !== "service") {
      this.infraEvent(component)
      this.gate.changed()
    }
    for (const l of this.listeners) l({ type: "status", component })
  }

  /**
   * Brings everything up. Throws ProjectLockedError when another supervisor runs this project
   * (nothing touched then), and on pre-flight errors (nothing started then).
   */
  start(): Promise<void> {
    const ident = this.loaded.identity
    acquireLock(ident.root, ident.name, { heirOf: this.opts.lockFrom })
    this.locked = true
    // From here on a failed state write is reported (once) and supervising goes on.
    onStateWriteError((file, e) => this.writeFailed(file, e))
    this.starting = this.run()
    return this.starting
  }

  private writeFailed(file: string, e: Error): void {
    if (this.writeFailure) return
    this.writeFailure = true
    const code = (e as NodeJS.ErrnoException).code
    this.opts.onInfo(`cannot write ${file} (${code ?? e.message}); devrig keeps running, the state file stays out of date until writing works again`)
  }

  private get interrupted(): boolean {
    return this.interrupt.signal.aborted
  }

  private async run(): Promise<void> {
    const ident = this.loaded.identity
    // This run holds the lock, so a watchdog still around belongs to a run that died: it may be
    // mid-cleanup, and its last step (state, registry, Compose) would undo this run's start.
    // End it; the recovery below does its work.
    for (const pid of watchdogPids(ident.configPath)) signalPid(pid, "SIGKILL")
    await recoverOrphans(ident.root, ident.slug, this.opts.onInfo)
    const assignment = await preflightPorts(this.loaded, (port) => dockerPortOwner(this.loaded, port))
    this.ports = assignment.ports
    this.resolved = resolveWithPorts(this.loaded, assignment.ports)
    if (this.interrupted) throw new Error("start interrupted") // during pre-flight: nothing started yet
    const graph = resolvedGraph(this.resolved)
    const known = [...graph.keys()]
    for (const n of this.opts.only)
      if (!graph.has(n)) throw new InputError(`unknown service \`${n}\``, { hint: `Known: ${known.join(", ") || "(none)"}` })
    this.selected = this.opts.only.length ? closure(graph, this.opts.only) : new Set(known)

    const state = readState(ident.root)
    state.slug = ident.slug
    for (const key of assignment.auto) state.autoPorts[key] = assignment.ports[key]!
    state.supervisor = { pid: process.pid, startTime: processStartTime(process.pid) ?? 0, socket: statePaths(ident.root).socket, startedAt: new Date().toISOString() }
    state.groups = {}
    delete state.dashboard
    writeState(ident.root, state)
    writeLastGood(ident.root, this.loaded.source)
    this.watchdog = spawnWatchdog(ident, state.supervisor)
    this.stopControl = serveControl(ident.root, {
      status: () => this.status(),
      settled: () => this.settled,
      stop: (names) => (names.length ? this.stopNamed(names) : this.shutdownSoon()),
      start: (names) => this.startNamed(names),
      restart: (names) => Promise.all(names.map((n) => this.action(n, "restart"))).then(() => {}),
      env: (service, secrets) => this.envFor(service, secrets),
    }).stop

    for (const s of Object.values(this.resolved.services)) if (this.selected.has(s.name)) this.runners.set(s.name, this.makeRunner(s))
    const notice = (n: string) => (this.opts.onInfo(n), this.notices.push(n))
    this.infra = new Infra(this.resolved, this.selected, {
      line: this.line,
      info: this.opts.onInfo,
      notice,
      changed: this.emit,
      detached: this.opts.detached,
      noTraefik: !!this.opts.noTraefik,
      verbose: !!this.opts.verbose,
      signal: this.interrupt.signal,
    })
    this.register()

    try {
      await startConcurrently({
        infra: () => this.infra.up(),
        telemetry: () => this.startTelemetry(),
        services: () => this.startServices([...this.runners.keys()]),
        infraSettled: () => this.gate.settle(),
        // a failure anywhere: services still waiting for infrastructure are not started
        onFailure: () => this.gate.close(),
      })
      if (this.interrupted) throw new Error("start interrupted")
    } catch (e) {
      if (!this.interrupted) this.phase = "failed"
      const err = e as Error & { component?: string }
      this.failure = { component: err.component ?? "devrig", reason: err.message, lines: [] }
      this.settle()
      throw e
    }
    this.configWatch = watchConfig(this, this.opts.onInfo)
    // A start whose components failed is not a success, in the foreground as with -d.
    const failed = [...this.runners.values()].find((r) => r.status.state === "failed")
    if (failed) this.failure = { component: failed.svc.name, reason: failed.status.error ?? "failed", lines: failed.lastLines(20) }
    this.phase = failed ? "failed" : "up"
    this.settle()
  }

  private makeRunner(s: ResolvedService): ServiceRunner {
    const root = this.root
    return new ServiceRunner(s, {
      slug: this.loaded.identity.slug,
      env: () => processEnvFor(this.resolved, s, this.extras()),
      line: this.line,
      changed: this.emit,
      event: (event, body, details) => this.reactions.onServiceEvent(s.name, event, body, details),
      recordGroup: (name, group) =>
        updateState(root, (st) => {
          if (group) st.groups[name] = group
          else delete st.groups[name]
        }),
    })
  }

  extras() {
    return { dashboard: this.dashboard, composePorts: this.infra?.composePorts() ?? {} }
  }

  /** The host ports assigned in this run, by key ("services.api"), for hot reload to keep. */
  assignedPorts(): Record<string, number> {
    return { ...this.ports }
  }

  /** Lifecycle events of containers, compose services and cluster items, from their status changes. */
  private infraEvent(c: ComponentStatus): void {
    const prev = this.lastStates.get(c.name)
    this.lastStates.set(c.name, { state: c.state, restarts: c.restarts })
    if (c.kind === "deploy" && prev && c.restarts > prev.restarts) return this.telemetry.event("rebuild", c.name, `${c.name} rebuilt and redeployed`, { image: c.detail ?? "" })
    if (prev?.state === c.state) return
    const what = `${c.kind === "docker" ? "container" : c.kind} ${c.name}`
    if (c.state === "starting" && prev?.state !== "starting") {
      this.telemetry.event("start", c.name, `${what} starting`)
      recordCursor(this.root, "start", c.name)
    }
    else if (c.state === "ready" || c.state === "running") this.telemetry.event("ready", c.name, `${what} is ready`)
    else if (c.state === "stopped") this.telemetry.event("stop", c.name, `${what} stopped`)
    else if (c.state === "failed") this.telemetry.event("failed", c.name, `${what} failed: ${c.error ?? "unknown reason"}`, { reason: c.error ?? "" })
  }

  /** Hot reload: apply a new config whose difference was computed by diffConfigs. */
  async applyReload(loaded: LoadedConfig, resolved: ResolvedConfig, d: ConfigDiff, ports: Record<string, number>): Promise<void> {
    const old = this.resolved
    this.telemetry.event("reload", "devrig", `devrig.toml reloaded: ${describeDiff(d)}`, {
      restarted: [...d.services.changed, ...d.docker.changed].join(","),
      started: [...d.services.added, ...d.docker.added].join(","),
      stopped: [...d.services.removed, ...d.docker.removed].join(","),
    })
    recordCursor(this.root, "reload")
    this.loaded = loaded
    writeLastGood(this.root, loaded.source)
    this.resolved = resolved
    this.ports = ports
    const stopping = [...d.services.removed, ...d.services.changed].filter((n) => this.runners.has(n))
    await Promise.all(stopping.map((n) => this.runners.get(n)!.stop()))
    for (const n of d.services.removed) this.runners.delete(n)
    await this.infra.reconfigure(resolved, d.docker, old)
    const starting = [...d.services.changed, ...d.services.added].filter((n) => resolved.services[n])
    for (const n of starting) this.runners.set(n, this.makeRunner(resolved.services[n]!))
    this.register()
    await this.startServices(starting)
  }

  private async startTelemetry(): Promise<void> {
    const d = this.resolved.dashboard
    if (!d?.enabled) return
    const { startTelemetry } = await import("../server/start.ts")
    const ui = await import("../server/ui.ts").then((m) => m.uiHandler).catch(() => undefined)
    // A new token every run: an old dashboard tab or a copied URL stops working at restart.
    const token = d.auth ? createToken(this.root) : (removeToken(this.root), undefined)
    const t = await startTelemetry({ dashboard: d, controller: this, ui, token })
    this.dashboard = t.dashboard
    this.telemetryStop = t.stop
    this.store = t.store
    this.telemetry.attach(t.store)
    for (const n of t.notices) this.opts.onInfo(n)
    this.notices.push(...t.notices)
    updateState(this.root, (s) => void (s.dashboard = t.dashboard))
    this.register()
  }

  /** Starts runners as soon as their dependencies allow (ready-checked deps gate). */
  private async startServices(names: string[]): Promise<void> {
    const started = new Map<string, Promise<boolean>>()
    const startOne = (name: string): Promise<boolean> => {
      const existing = started.get(name)
      if (existing) return existing
      const p = (async () => {
        const runner = this.runners.get(name)!
        // A dependency that already runs (hot reload, `start <svc>` on a running project) is
        // waited for, never started a second time.
        if (!["pending", "stopped", "exited", "failed"].includes(runner.status.state)) return true
        for (const dep of new Set([...runner.svc.dependsOn, ...composeRefs(runner.svc.env).filter((c) => this.infra.has(c))])) {
          const ok = this.runners.has(dep) ? await this.dependencyReady(dep, startOne) : await this.gate.wait(dep)
          if (this.interrupted) return false
          if (!ok) {
            if (this.gate.isClosed) return false // stopping: not a failure of this service
            runner.status.error = `dependency ${dep} failed`
            runner.status.state = "failed"
            this.emit({ ...runner.status })
            this.line(name, "sys", `not started: dependency ${dep} failed`)
            return false
          }
        }
        // the run stopped (a failure elsewhere, an interrupt) while this one waited
        if (this.interrupted || this.gate.isClosed) return false
        runner.start()
        return true
      })()
      started.set(name, p)
      return p
    }
    // each service settles on its own; one that was never started (a dependency failed, the run
    // stopped) has nothing to wait for
    await Promise.all(names.map(async (n) => (await startOne(n)) && this.runners.get(n)!.waitSettled()))
  }

  private async dependencyReady(dep: string, startOne: (n: string) => Promise<boolean>): Promise<boolean> {
    if (!(await startOne(dep))) return false
    const r = this.runners.get(dep)!
    // depends_on orders; only a ready_check gates (PRD: "not health gating by default").
    return r.svc.readyCheck ? r.waitSettled() : true
  }

  /**
   * `devrig start <names>` on the running project: any service or container of the config, with
   * what it depends on — also those this run was not started with (`devrig start api`, then
   * `devrig start web`).
   */
  private async startNamed(names: string[]): Promise<void> {
    const graph = resolvedGraph(this.resolved)
    for (const n of names) if (!graph.has(n)) throw new InputError(`unknown service \`${n}\``, { hint: `Known: ${[...graph.keys()].join(", ") || "(none)"}` })
    const wanted = closure(graph, names)
    const containers = [...wanted].filter((n) => this.resolved.docker[n] && !this.infra.has(n))
    for (const n of wanted) this.selected.add(n)
    if (containers.length) await this.infra.reconfigure(this.resolved, { added: containers, removed: [], changed: [] }, this.resolved)
    for (const n of wanted) if (this.resolved.services[n] && !this.runners.has(n)) this.runners.set(n, this.makeRunner(this.resolved.services[n]!))
    this.register()
    await this.startServices([...wanted].filter((n) => this.runners.has(n) && !this.runners.get(n)!.isUp()))
  }

  private async stopNamed(names: string[]): Promise<void> {
    for (const n of names) this.requireRunner(n)
    await Promise.all(names.map((n) => this.runners.get(n)!.stop()))
  }

  private requireRunner(name: string): ServiceRunner {
    const r = this.runners.get(name)
    if (!r) throw new InputError(`unknown service \`${name}\``, { hint: `Known: ${[...this.runners.keys()].join(", ") || "(none)"}` })
    return r
  }

  private shutdownSoon(): Promise<void> {
    // Answer the caller first; the socket goes away with the shutdown.
    setTimeout(() => void this.shutdown().then(() => process.exit(0)), 10)
    return Promise.resolve()
  }

  /**
   * Stops everything, dependents first. Idempotent, and safe at any point of the start: the
   * interrupt makes every phase still starting wind down (containers and Compose undo what they
   * began), no further service is spawned, and only then is everything torn down.
   */
  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      if (!this.locked) return // another supervisor's project, or nothing started
      this.phase = "stopping"
      this.interrupt.abort()
      this.gate.close()
      this.configWatch?.close()
      await this.stopRunners()
      await this.starting?.catch(() => {})
      await this.stopRunners()
      await this.telemetryStop?.().catch(() => {})
      removeToken(this.root)
      await this.infra?.down().catch((e) => this.opts.onInfo(`stopping containers: ${(e as Error).message}`))
      await this.sweep()
      this.stopControl?.()
      updateState(this.root, (s) => {
        delete s.supervisor
        delete s.dashboard
        s.groups = {}
      })
      try {
        markStopped(this.loaded.identity.slug)
      } catch {}
      await this.endWatchdog()
      releaseLock(this.root)
    })()
    return this.shuttingDown
  }

  private async stopRunners(): Promise<void> {
    const graph = resolvedGraph(this.resolved ?? { services: {}, docker: {}, identity: this.loaded.identity, env: {} })
    const remaining = new Set(this.runners.keys())
    while (remaining.size) {
      // a runner may stop once nothing still running depends on it
      const layer = [...remaining].filter((n) => ![...remaining].some((m) => m !== n && (graph.get(m) ?? []).includes(n)))
      const batch = layer.length ? layer : [...remaining]
      await Promise.all(batch.map((n) => this.runners.get(n)!.stop()))
      for (const n of batch) remaining.delete(n)
    }
  }

  /** Whatever still carries this project's run marker (a service no longer configured, a setsid grandchild). */
  private async sweep(): Promise<void> {
    const slug = this.loaded.identity.slug
    if (markedProcesses(slug).length) await terminate({ slug, service: "", graceMs: 2000 }).catch(() => {})
  }

  /** The watchdog is only needed while the supervisor runs: end it, so `stop` leaves nothing behind. */
  private async endWatchdog(): Promise<void> {
    const w = this.watchdog
    if (!w) return
    signalPid(w.pid, "SIGTERM")
    await Promise.race([w.exited, new Promise((r) => setTimeout(r, 3000).unref())])
  }

  /** What of this run is still alive after shutdown (empty when "Stopped" is true). */
  leftovers(): Promise<string[]> {
    return runLeftovers(this.loaded.identity, this.resolved)
  }

  private register(): void {
    try {
      this.registerInstance()
    } catch (e) {
      this.writeFailed("the instance registry", e as Error)
    }
  }

  private registerInstance(): void {
    const ident = this.loaded.identity
    const ports = [
      ...Object.values(this.resolved?.services ?? {}).flatMap((s) => (s.port ? [s.port] : [])),
      ...Object.values(this.resolved?.docker ?? {}).flatMap((d) => [d.port?.host, ...Object.values(d.ports).map((p) => p.host)].filter((p): p is number => !!p)),
      ...(this.dashboard ? [this.dashboard.port, this.dashboard.grpcPort, this.dashboard.httpPort] : []),
    ]
    registerInstance({
      slug: ident.slug,
      name: ident.name,
      configPath: ident.configPath,
      pid: process.pid,
      startTime: processStartTime(process.pid),
      startedAt: new Date().toISOString(),
      services: Object.keys(this.resolved?.services ?? {}).length,
      docker: Object.keys(this.resolved?.docker ?? {}).length,
      cluster: !!this.resolved?.cluster,
      ports,
    })
  }

  // ── Controller ────────────────────────────────────────────────────────────

  status(): StatusSnapshot & { phase: Phase; failure?: Supervisor["failure"]; notices: string[] } {
    const ident = this.loaded.identity
    return {
      project: { name: ident.name, id: ident.id, slug: ident.slug, configPath: ident.configPath },
      supervisorPid: process.pid,
      components: [...(this.infra?.statuses() ?? []), ...[...this.runners.values()].map((r) => ({ ...r.status }))],
      dashboard: this.dashboard,
      phase: this.phase,
      failure: this.failure,
      notices: this.notices,
    }
  }

  envFor(service: string | undefined, showSecrets = false): Record<string, string> | Record<string, Record<string, string>> {
    const one = (name: string) => {
      const s = this.resolved.services[name]
      if (!s) throw new InputError(`unknown service \`${name}\``, { hint: `Known: ${Object.keys(this.resolved.services).join(", ")}` })
      return shownEnv(this.resolved, s, this.extras(), showSecrets)
    }
    if (service) return one(service)
    return Object.fromEntries(Object.keys(this.resolved.services).map((n) => [n, one(n)]))
  }

  env(service?: string) {
    return this.envFor(service, false)
  }

  async action(name: string, action: Action): Promise<void> {
    // A service or container of the config this run was not started with.
    if (action === "start" && !this.runners.has(name) && !this.infra.has(name)) return this.startNamed([name])
    if (!this.runners.has(name) && this.infra.has(name)) {
      if (action === "restart") return this.reactions.dependencyRestarted(name, () => this.infra.action(name, action))
      return this.infra.action(name, action)
    }
    const r = this.requireRunner(name)
    if (action === "stop") return r.stop()
    if (action === "restart") return this.reactions.dependencyRestarted(name, () => r.restart())
    if (!r.isUp()) await this.startServices([name])
  }

  config(): ReturnType<Controller["config"]> {
    const { loaded, problems } = inspectConfig(this.loaded.path)
    return { path: this.loaded.path, source: loaded?.source ?? this.loaded.source, problems }
  }

  subscribe(listener: (e: StatusEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
