/**
 * What the supervisor does about a service's lifecycle events: record them as telemetry and as
 * change cursors, keep each service's last good start, print one crash report per crash episode,
 * and propagate a dependency's restart to its dependents (`on_dependency_restart`):
 *   restart — restart the dependent once the dependency is ready again
 *   regate  — stop the dependent now, start it once the dependency is ready again
 *   ignore  — carry on (the default)
 */
import type { ResolvedConfig } from "../config/resolved.ts"
import type { TelemetryStore } from "../otel/store.ts"
import { recordCursor } from "../project/state.ts"
import { buildCrashReport, renderCrashReport, type GoodStart } from "./crash-report.ts"
import { devrigEnv, shownEnv, type DiscoveryExtras } from "./env.ts"
import type { LifecycleEvent, Telemetry } from "./events.ts"
import type { ServiceRunner } from "./runner.ts"
import type { Stream } from "./logs.ts"

export interface ReactionContext {
  root: string
  telemetry: Telemetry
  store: () => TelemetryStore | undefined
  resolved: () => ResolvedConfig
  extras: () => DiscoveryExtras
  runners: Map<string, ServiceRunner>
  /** resolves true once a non-service component is ready again (false if it failed) */
  infraReady: (name: string) => Promise<boolean>
  line: (name: string, stream: Stream, text: string) => void
  info: (text: string) => void
}

/** A run that lasted this long was a good start (the runner resets its backoff after as long). */
const STABLE_MS = 30_000

export class Reactions {
  private readonly lastGood = new Map<string, GoodStart>()
  /** the config of the current run once it is ready; good once it stops cleanly or ran STABLE_MS */
  private readonly candidate = new Map<string, GoodStart>()
  private readonly reported = new Set<string>()

  constructor(private readonly ctx: ReactionContext) {}

  onServiceEvent(name: string, event: LifecycleEvent, body: string, details: Record<string, string | number | boolean> = {}): void {
    this.ctx.telemetry.event(event, name, body, details)
    const runner = this.ctx.runners.get(name)
    if (event === "start") recordCursor(this.ctx.root, "start", name)
    // A service without a port or ready check is "ready" the moment it spawns, so readiness alone
    // proves nothing: a crash loop would otherwise be a new episode (and a new "good start") on
    // every attempt. An episode ends with a manual (re)start or a run that lasted.
    if (event === "start" && details.attempt === 0) this.reported.delete(name)
    if (event === "ready" && runner) this.candidate.set(name, this.snapshot(runner))
    if (event === "stop") this.promote(name)
    if (event === "crash" && Number(details.uptime_ms) >= STABLE_MS) {
      this.promote(name)
      this.reported.delete(name)
    }
    if (event === "crash") this.candidate.delete(name)
    if (event === "crash" && runner && !this.reported.has(name)) this.crashReport(runner, Number(details.exit_code), String(details.signal ?? "") || null)
    if (event === "restart") void this.dependencyRestarted(name)
  }

  private promote(name: string): void {
    const c = this.candidate.get(name)
    if (c) this.lastGood.set(name, c)
    this.candidate.delete(name)
  }

  private snapshot(r: ServiceRunner): GoodStart {
    const cfg = this.ctx.resolved()
    return { command: r.svc.command, env: devrigEnv(cfg, r.svc, this.ctx.extras()), shown: shownEnv(cfg, r.svc, this.ctx.extras()) }
  }

  private crashReport(r: ServiceRunner, exitCode: number, signal: string | null): void {
    this.reported.add(r.svc.name)
    const report = buildCrashReport({
      service: r.svc.name,
      exitCode: signal ? null : exitCode,
      signal,
      restarts: r.status.restarts,
      lines: r.lastLines(30),
      store: this.ctx.store(),
      lastGood: this.lastGood.get(r.svc.name),
      current: this.snapshot(r),
      secretKeys: r.svc.secretKeys,
    })
    r.status.crash = report
    for (const l of renderCrashReport(report)) this.ctx.line(r.svc.name, "sys", l)
  }

  /**
   * A dependency restarts (crash, or manual when `restart` is given): apply each dependent's
   * on_dependency_restart. With `restart`, regate dependents pause before it runs.
   */
  async dependencyRestarted(dep: string, restart?: () => Promise<void>): Promise<void> {
    const affected = [...this.ctx.runners.values()].filter(
      (r) => r.svc.dependsOn.includes(dep) && r.svc.onDependencyRestart !== "ignore" && !["stopped", "failed", "exited", "pending"].includes(r.status.state),
    )
    if (!affected.length) return void (await restart?.())
    const regate = affected.filter((r) => r.svc.onDependencyRestart === "regate")
    for (const r of regate) this.ctx.line(r.svc.name, "sys", `paused: waiting for ${dep} to be ready again`)
    await Promise.all(regate.map((r) => r.stop()))
    await restart?.()
    const depRunner = this.ctx.runners.get(dep)
    const ready = depRunner ? await depRunner.waitSettled() : await this.ctx.infraReady(dep)
    if (!ready) {
      for (const r of regate) this.ctx.line(r.svc.name, "sys", `not resumed: ${dep} did not become ready`)
      return
    }
    for (const r of affected) this.ctx.line(r.svc.name, "sys", `${r.svc.onDependencyRestart === "regate" ? "resuming" : "restarting"}: ${dep} restarted`)
    await Promise.all(affected.map((r) => (r.svc.onDependencyRestart === "regate" ? r.start() : r.restart())))
  }
}
