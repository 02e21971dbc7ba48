/**
 * Infrastructure the services depend on: Docker containers, compose services and the
 * cluster. The supervisor drives it as one unit; each external system keeps its own module.
 */
import type { ResolvedConfig, ResolvedContainer } from "../config/resolved.ts"
import { updateState, readState } from "../project/state.ts"
import type { Action, ComponentState, ComponentStatus } from "../status.ts"
import type { RunningContainer } from "../docker/phase.ts"
import type { Stream } from "./logs.ts"
import { PullDisplay } from "./pull-display.ts"
import { ClusterPhase } from "./cluster-phase.ts"
import { ComposePhase, type ComposeHooks } from "./compose-phase.ts"
import { ContainerWatch } from "./container-watch.ts"

/**
 * The same hooks drive every infrastructure phase. `notice`: a line the start output shows once
 * (also after `start -d`); without it, notices go to `info`.
 */
export type InfraHooks = ComposeHooks & { notice?: (text: string) => void }

export class Infra {
  private readonly components = new Map<string, ComponentStatus>()
  private running: Record<string, RunningContainer> = {}
  private containers: ResolvedContainer[]
  private readonly cluster: ClusterPhase
  private readonly compose: ComposePhase
  private readonly watch: ContainerWatch

  constructor(
    private cfg: ResolvedConfig,
    readonly selected: Set<string>,
    private readonly hooks: InfraHooks,
  ) {
    this.containers = Object.values(cfg.docker).filter((c) => selected.has(c.name))
    this.compose = new ComposePhase(cfg, hooks)
    this.cluster = new ClusterPhase(cfg, (name, text) => hooks.line(name, "sys", text), hooks.changed)
    for (const c of this.containers) this.components.set(c.name, containerStatus(c))
    // Notices a container removed or stopped behind devrig's back, and an engine that goes away.
    this.watch = new ContainerWatch(cfg.identity.slug, {
      expected: () => this.containers.filter((c) => this.isReady(c.name)).map((c) => c.name),
      lost: (name, reason) => {
        this.running[name]?.stopLogs()
        this.set(name, "failed", reason)
        this.hooks.line(name, "sys", reason)
      },
      info: (text) => this.hooks.info(`docker: ${text}`),
    })
  }

  /**
   * Containers (each after the containers it depends on), the compose stack and the cluster, side
   * by side; the cluster waits only for the containers / compose stack its addons and deploys
   * depend on.
   */
  async up(): Promise<void> {
    // Containers, Compose and the cluster side by side; the cluster waits only for what its addons
    // and deploys depend on. All run to their end, failed or not: an interrupt or a failure must
    // find nothing still starting when the teardown begins.
    const containers = this.containersUp()
    const compose = this.compose.up()
    const cluster = (async () => {
      const c = this.cfg.cluster
      if (!c) return
      const deps = [...Object.values(c.addons).flatMap((a) => a.depends_on ?? []), ...Object.values(c.deploy).flatMap((d) => d.dependsOn)]
      const waits: Promise<void>[] = []
      if (deps.some((d) => this.components.has(d))) waits.push(containers)
      if (deps.some((d) => this.compose.components.has(d))) waits.push(compose)
      await Promise.all(waits)
      if (this.hooks.signal?.aborted) return
      await this.cluster.up()
    })()
    const results = await Promise.allSettled([containers, compose, cluster])
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected")
    if (failed) throw failed.reason
    if (this.containers.length) this.watch.start()
  }

  private async containersUp(): Promise<void> {
    if (!this.containers.length) return
    const { upContainers } = await import("../docker/phase.ts")
    const plan = [this.containers] // upContainers starts each one after its own dependencies
    const root = this.cfg.identity.root
    const pulls = new PullDisplay(this.hooks.info)
    this.running = await upContainers(this.cfg.identity, plan, {
      onStatus: (name, state, detail) => this.set(name, state, detail),
      onLog: (name, stream, line) => this.hooks.line(name, stream === "stderr" ? "err" : "out", line),
      onPull: (image, p) => pulls.update(image, p),
      initDone: (name) => readState(root).initDone[name],
      markInitDone: (name, record) => updateState(root, (s) => void (s.initDone[name] = record)),
      onNotice: (_name, text) => this.notice(text),
      signal: this.hooks.signal,
    })
    pulls.done()
    for (const r of Object.values(this.running)) {
      const s = this.components.get(r.name)
      if (s) s.startedAt = r.startedAt
    }
  }

  private notice(text: string): void {
    if (this.hooks.notice) this.hooks.notice(text)
    else this.hooks.info(text)
  }

  private set(name: string, state: ComponentState, detail?: string): void {
    const s = this.components.get(name)
    if (!s) return
    s.state = state
    if (state === "failed") s.error = detail
    else if (state === "ready" || state === "running") s.error = undefined
    this.hooks.changed({ ...s })
  }

  async down(): Promise<void> {
    await this.watch.stop()
    await this.cluster.down().catch((e) => this.hooks.info(`cluster: ${(e as Error).message}`))
    await this.compose.down().catch((e) => this.hooks.info((e as Error).message)) // already says "compose: …"
    for (const r of Object.values(this.running)) r.stopLogs()
    if (!this.containers.length) return
    const { stopContainers } = await import("../docker/phase.ts")
    await stopContainers(this.cfg.identity.slug, { only: this.containers.map((c) => c.name), onStatus: (n, st) => this.set(n, st) })
  }

  statuses(): ComponentStatus[] {
    return [...this.components.values(), ...this.compose.components.values(), ...this.cluster.components.values()].map((c) => ({ ...c }))
  }

  has(name: string): boolean {
    return this.components.has(name) || this.compose.components.has(name) || this.cluster.components.has(name)
  }

  isReady(name: string): boolean {
    const s = (this.components.get(name) ?? this.compose.components.get(name) ?? this.cluster.components.get(name))?.state
    return s === "ready" || s === "running"
  }

  composePorts(): Record<string, number> {
    return this.compose.ports()
  }

  /**
   * Hot reload: recreate changed containers (their anonymous volumes go to the new container),
   * start added ones, stop removed ones. A removed one is kept, with its data, until `devrig
   * delete` (adding the block back reuses it).
   */
  async reconfigure(cfg: ResolvedConfig, d: { added: string[]; removed: string[]; changed: string[] }, old: ResolvedConfig): Promise<void> {
    if (!d.added.length && !d.removed.length && !d.changed.length) {
      this.cfg = cfg
      return
    }
    const phase = await import("../docker/phase.ts")
    for (const n of [...d.removed, ...d.changed]) this.running[n]?.stopLogs()
    if (d.removed.length || d.changed.length)
      await phase.stopContainers(old.identity.slug, { only: [...d.removed, ...d.changed], onStatus: (n, st) => this.set(n, st) })
    for (const n of d.removed) {
      this.components.delete(n)
      delete this.running[n]
    }
    this.cfg = cfg
    this.containers = Object.values(cfg.docker).filter((c) => this.selected.has(c.name) || d.added.includes(c.name))
    for (const n of d.added) this.selected.add(n)
    for (const c of this.containers) if (!this.components.has(c.name)) this.components.set(c.name, containerStatus(c))
    const up = [...d.changed, ...d.added].map((n) => cfg.docker[n]).filter((c): c is ResolvedContainer => !!c)
    for (const c of up) this.components.set(c.name, { ...containerStatus(c), restarts: this.components.get(c.name)?.restarts ?? 0 })
    // ensureContainer recreates a container whose definition hash changed.
    for (const c of up) await this.action(c.name, "start")
  }

  async action(name: string, action: Action): Promise<void> {
    const c = this.containers.find((x) => x.name === name)
    if (!c) return
    const phase = await import("../docker/phase.ts")
    if (action !== "start") {
      this.running[name]?.stopLogs()
      await phase.stopContainers(this.cfg.identity.slug, { only: [name], onStatus: (n, st) => this.set(n, st) })
    }
    if (action !== "stop") {
      const root = this.cfg.identity.root
      const up = await phase.upContainers(this.cfg.identity, [[c]], {
        onStatus: (n, st, d) => this.set(n, st, d),
        onLog: (n, stream, line) => this.hooks.line(n, stream === "stderr" ? "err" : "out", line),
        initDone: (n) => readState(root).initDone[n],
        markInitDone: (n, record) => updateState(root, (s) => void (s.initDone[n] = record)),
        onNotice: (_n, text) => this.notice(text),
      })
      Object.assign(this.running, up)
      const s = this.components.get(name)
      if (s && up[name]) {
        s.startedAt = up[name].startedAt
        if (action === "restart") s.restarts++
      }
    }
  }
}

function containerStatus(c: ResolvedContainer): ComponentStatus {
  const ports = Object.fromEntries(Object.entries(c.ports).map(([n, p]) => [n, p.host]))
  return {
    name: c.name,
    kind: "docker",
    state: "pending",
    restarts: 0,
    port: c.port?.host,
    ports: Object.keys(ports).length ? ports : undefined,
    autoPort: c.port?.auto || undefined,
    detail: c.image,
  }
}
