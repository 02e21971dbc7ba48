/**
 * Start scheduling: every component starts as soon as its own dependencies are ready, not when a
 * whole phase is. Infrastructure (containers, compose, cluster), the collector/dashboard and the
 * service processes start together; a service that depends on a container waits for that
 * container alone (through a ReadyGate), an independent one starts at once.
 *
 * Fail-fast: at the first failure nothing still waiting is launched; once what is in flight has
 * settled, the start rejects with that failure (the caller tears everything down).
 */

export type GateState = "ready" | "failed" | "waiting" | "unknown"

/** Waits for infrastructure components to become ready, woken by their status changes. */
export class ReadyGate {
  private readonly waiters = new Set<() => void>()
  private closed = false
  private settled = false

  constructor(private readonly state: (name: string) => GateState) {}

  /** true once `name` is ready; false when it failed, is unknown, or the start was aborted. */
  wait(name: string): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const s = this.state(name)
        if (s === "ready") resolve(true)
        else if (s === "failed" || s === "unknown" || this.closed || this.settled) resolve(false)
        else return false
        this.waiters.delete(check)
        return true
      }
      if (!check()) this.waiters.add(check)
    })
  }

  /** A component's status changed: wake the waiters. */
  changed(): void {
    for (const w of [...this.waiters]) w()
  }

  /**
   * The infrastructure start is over: what is not ready now never will be in this start (later
   * starts — hot reload, `start <svc>` — find their dependencies already up, or not).
   */
  settle(): void {
    this.settled = true
    this.changed()
  }

  /** The run is stopping: every waiter gets false. */
  close(): void {
    this.closed = true
    this.changed()
  }

  get isClosed(): boolean {
    return this.closed
  }
}

/**
 * One project start: infrastructure next to (telemetry, then services). Services need the
 * collector's address in their environment, and the collector starts in milliseconds, so it
 * goes first on that branch; services wait for infrastructure only through their own
 * dependencies. Rejects with the first failure once both branches have settled.
 */
export async function startConcurrently(steps: {
  infra: () => Promise<void>
  telemetry: () => Promise<void>
  services: () => Promise<void>
  /** called when the infrastructure start is over, successful or not */
  infraSettled: () => void
  /** called once, at the first failure: nothing still waiting should start */
  onFailure?: () => void
}): Promise<void> {
  let first: { error: unknown } | undefined
  const failed = (e: unknown) => {
    if (!first) {
      first = { error: e }
      steps.onFailure?.()
    }
  }
  const infra = steps.infra().finally(steps.infraSettled).catch(failed)
  const rest = (async () => {
    await steps.telemetry()
    await steps.services()
  })().catch(failed)
  // Both branches wind down before the caller tears down, so nothing is still starting then.
  await Promise.all([infra, rest])
  if (first) throw first.error
}

/**
 * The compose services a service's env references as `{{ compose.X.port }}`: their ports are
 * known only once the stack is up, so the service waits for them as if it depended on them.
 */
export function composeRefs(env: Record<string, string>): string[] {
  const out = new Set<string>()
  for (const v of Object.values(env)) for (const m of v.matchAll(/\{\{\s*compose\.([^.\s}]+)\.port\s*\}\}/g)) out.add(m[1]!)
  return [...out]
}
