/**
 * `[compose]` inside a devrig run, per the Compose contract: foreground runs attach `up` (output
 * in the unified log, Ctrl+C signals Compose and then takes the stack `down`), `--detach` runs
 * `up -d` (and `stop` only stops). Compose services join the devrig network, are ready-checked,
 * and can be depended on and discovered like native containers.
 */
import type { ResolvedConfig } from "../config/resolved.ts"
import type { ComponentState, ComponentStatus } from "../status.ts"
import type { ComposeStack } from "../compose/stack.ts"
import type { Stream } from "./logs.ts"

export interface ComposeHooks {
  line: (name: string, stream: Stream, text: string) => void
  info: (text: string) => void
  changed: (s: ComponentStatus) => void
  detached: boolean
  noTraefik: boolean
  verbose: boolean
  /** an interrupt during the start: what is starting winds down */
  signal?: AbortSignal
}

const PREFIX = /^(\S+?)(?:[-_]\d+)?\s+\|\s?(.*)$/

export class ComposePhase {
  readonly components = new Map<string, ComponentStatus>()
  private stack?: ComposeStack
  /** set once `up` ran: an interrupted or failed `up -d` may have created containers anyway */
  private attempted = false
  private readonly abort = new AbortController()

  constructor(
    private readonly cfg: ResolvedConfig,
    private readonly hooks: ComposeHooks,
  ) {
    hooks.signal?.addEventListener("abort", () => this.abort.abort(), { once: true })
    // --no-traefik scales a service named traefik to zero: it is not part of this run.
    for (const name of cfg.compose?.services ?? [])
      if (!(hooks.noTraefik && name === "traefik")) this.components.set(name, { name, kind: "compose", state: "pending", restarts: 0 })
  }

  private set(name: string, state: ComponentState, patch: Partial<ComponentStatus> = {}): void {
    const s = this.components.get(name)
    if (!s) return
    Object.assign(s, { state, ...patch })
    this.hooks.changed({ ...s })
  }

  async up(): Promise<void> {
    const compose = this.cfg.compose
    if (!compose) return
    const { startComposeStack } = await import("../compose/stack.ts")
    const known = new Set(this.components.keys())
    if (this.abort.signal.aborted) return
    for (const n of known) this.set(n, "starting")
    this.attempted = true
    try {
      this.stack = await startComposeStack({
        identity: this.cfg.identity,
        compose,
        detach: this.hooks.detached,
        noTraefik: this.hooks.noTraefik,
        verbose: this.hooks.verbose,
        signal: this.abort.signal,
        logger: { info: this.hooks.info, warn: this.hooks.info },
        onOutput: (raw, stream) => {
          // Compose colours its "web_1 |" prefixes; devrig colours names itself.
          const line = raw.replace(/\x1b\[[0-9;]*m/g, "")
          const m = PREFIX.exec(line)
          const name = m && known.has(m[1]!) ? m[1]! : "compose"
          this.hooks.line(name, stream === "stderr" ? "err" : "out", m && name !== "compose" ? m[2]! : line)
        },
      })
    } catch (e) {
      const interrupted = this.abort.signal.aborted
      for (const n of known) this.set(n, interrupted ? "stopped" : "failed", { error: interrupted ? undefined : (e as Error).message })
      throw Object.assign(e as Error, { component: "compose" })
    }
    for (const [name, s] of Object.entries(this.stack.services)) {
      if (!this.components.has(name)) this.components.set(name, { name, kind: "compose", state: "pending", restarts: 0 })
      this.set(name, s.state === "running" ? "ready" : "exited", { port: s.port, url: s.port ? `localhost:${s.port}` : undefined, startedAt: new Date().toISOString(), detail: s.containers[0]?.name })
    }
  }

  ports(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [n, s] of Object.entries(this.stack?.services ?? {})) if (s.port) out[n] = s.port
    return out
  }

  async down(): Promise<void> {
    const compose = this.cfg.compose
    if (!compose || !this.attempted) return
    if (!this.stack) {
      // `up` did not get through (interrupted or failed). A foreground `up` was taken down by
      // compose/run.ts; `up -d` may have left containers running: stop them as `devrig stop` does.
      if (!this.hooks.detached) return
      const { stopComposeStack } = await import("../compose/stack.ts")
      await stopComposeStack({ identity: this.cfg.identity, compose, verbose: this.hooks.verbose, logger: { info: this.hooks.info, warn: this.hooks.info } })
      return
    }
    for (const n of this.components.keys()) this.set(n, "stopping")
    if (this.stack.done) {
      // Foreground: signal Compose; it runs `down` after it exits (teardown errors are logged).
      this.abort.abort()
      await this.stack.done.catch((e) => this.hooks.info((e as Error).message))
    } else {
      const { stopComposeStack } = await import("../compose/stack.ts")
      await stopComposeStack({ identity: this.cfg.identity, compose, verbose: this.hooks.verbose, logger: { info: this.hooks.info, warn: this.hooks.info } })
    }
    for (const n of this.components.keys()) this.set(n, "stopped")
  }
}
