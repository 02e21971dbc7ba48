/**
 * Infrastructure the services depend on: Docker containers, compose services and the cluster.
 * The supervisor drives it as one unit (Phase 1 and 2); each external system keeps its own module.
 */
import type { ResolvedConfig } from "../config/resolved.ts"
import type { Action, ComponentStatus } from "../status.ts"
import type { Stream } from "./logs.ts"

export interface InfraHooks {
  line: (name: string, stream: Stream, text: string) => void
  info: (text: string) => void
  changed: (status: ComponentStatus) => void
  detached: boolean
}

export class Infra {
  private readonly components = new Map<string, ComponentStatus>()

  constructor(
    readonly cfg: ResolvedConfig,
    readonly selected: Set<string>,
    private readonly hooks: InfraHooks,
  ) {}

  async up(): Promise<void> {}

  async down(): Promise<void> {}

  statuses(): ComponentStatus[] {
    return [...this.components.values()].map((c) => ({ ...c }))
  }

  has(name: string): boolean {
    return this.components.has(name)
  }

  isReady(name: string): boolean {
    const s = this.components.get(name)?.state
    return s === "ready" || s === "running"
  }

  composePorts(): Record<string, number> {
    return {}
  }

  async action(name: string, _action: Action): Promise<void> {
    void name
    void this.hooks
  }
}
