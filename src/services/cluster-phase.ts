/**
 * Phase 2 of a start: the k3d cluster, its addons, the deploys (build → push → apply → rollout),
 * addon port-forwards and deploy watchers. `stop` leaves the cluster up, idle.
 */
import type { ResolvedConfig } from "../config/resolved.ts"
import { layers, makeGraph } from "../graph/dag.ts"
import type { ComponentState, ComponentStatus } from "../status.ts"
import type { PortForwards } from "../cluster/portforward.ts"
import type { DeployWatcher } from "../cluster/deploy.ts"

export class ClusterPhase {
  readonly components = new Map<string, ComponentStatus>()
  private forwards?: PortForwards
  private watchers: DeployWatcher[] = []

  constructor(
    private readonly cfg: ResolvedConfig,
    private readonly log: (name: string, text: string) => void,
    private readonly changed: (s: ComponentStatus) => void,
  ) {
    const c = cfg.cluster
    if (!c) return
    this.components.set(c.name, { name: c.name, kind: "cluster", state: "pending", restarts: 0, detail: c.k3dName })
    for (const a of Object.keys(c.addons)) this.components.set(a, { name: a, kind: "addon", state: "pending", restarts: 0, detail: c.addons[a]!.type })
    for (const d of Object.keys(c.deploy)) this.components.set(d, { name: d, kind: "deploy", state: "pending", restarts: 0 })
  }

  private set(name: string, state: ComponentState, patch: Partial<ComponentStatus> = {}): void {
    const s = this.components.get(name)
    if (!s) return
    Object.assign(s, { state, ...patch })
    this.changed({ ...s })
  }

  async up(): Promise<void> {
    const c = this.cfg.cluster
    if (!c) return
    const { ensureNetwork } = await import("../docker/network.ts")
    const { ensureCluster } = await import("../cluster/lifecycle.ts")
    const { installAddons } = await import("../cluster/addons.ts")
    const { deployAll, watchDeploy } = await import("../cluster/deploy.ts")
    const { startPortForwards } = await import("../cluster/portforward.ts")
    const log = (name: string) => (line: string) => this.log(name, line)
    this.set(c.name, "starting", { startedAt: new Date().toISOString() })
    // The network first, so k3d joins devrig's network instead of creating (and later deleting) one.
    await ensureNetwork(this.cfg.identity)
    const handle = await this.step(c.name, () => ensureCluster(this.cfg, log(c.name)))
    this.set(c.name, "ready")
    for (const a of Object.keys(c.addons)) this.set(a, "starting")
    await this.step("addons", () => installAddons(this.cfg, log(c.name)), Object.keys(c.addons))
    for (const a of Object.keys(c.addons)) this.set(a, "ready", { startedAt: new Date().toISOString() })
    const order = layers(makeGraph(Object.values(c.deploy).map((d) => [d.name, d.dependsOn.filter((x) => x in c.deploy)]))).flat()
    for (const d of order) this.set(d, "starting")
    const results = await this.step("deploy", () => deployAll(this.cfg, handle, order, { log: log(c.name) }), order)
    for (const r of results) this.set(r.name, "ready", { detail: r.image, startedAt: new Date().toISOString() })
    this.forwards = startPortForwards(this.cfg, log(c.name))
    for (const s of this.forwards.specs) this.set(s.addon, "ready", { url: s.url, port: s.localPort })
    for (const d of Object.values(c.deploy))
      if (d.watch)
        this.watchers.push(
          watchDeploy(this.cfg, handle, d.name, {
            log: log(d.name),
            onResult: (r) =>
              r instanceof Error ? this.set(d.name, "failed", { error: r.message }) : this.set(d.name, "ready", { detail: r.image, restarts: (this.components.get(d.name)?.restarts ?? 0) + 1, startedAt: new Date().toISOString() }),
          }),
        )
  }

  private async step<T>(name: string, fn: () => Promise<T>, members: string[] = [name]): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      for (const m of members) this.set(m, "failed", { error: (e as Error).message })
      throw Object.assign(e as Error, { component: name })
    }
  }

  async down(): Promise<void> {
    for (const w of this.watchers) w.close()
    this.watchers = []
    await this.forwards?.stop()
    for (const s of this.components.values()) if (s.kind !== "cluster") this.set(s.name, "stopped")
    const c = this.cfg.cluster
    if (c) this.set(c.name, "ready", { detail: `${c.k3dName} (left running)` })
  }
}
