/**
 * Notices what happens to the project's containers behind devrig's back: `docker rm -f`, a
 * crash, the engine going away. Once a second it lists the containers carrying this project's
 * label (one engine request, however many containers) and compares them with the ones devrig
 * believes are up. A container that vanished or stopped is reported once through `lost`; the
 * owner then marks it failed, so it leaves `expected()` and is not reported again until a
 * restart brings it back.
 *
 * When the engine cannot be reached, polling backs off (1 s doubling to 10 s) and the outage
 * and the reconnect are each reported once, so a dead engine costs one line, not one a second.
 * After a reconnect the containers are matched by label again (their ids may have changed), so
 * nothing depends on ids taken before the outage.
 */
import { LABEL_PROJECT, LABEL_SERVICE } from "../project/identity.ts"

export interface ContainerWatchHooks {
  /** config names of the containers that should be running now (ready/running, not being stopped) */
  expected(): string[]
  /** a container in expected() is gone or no longer running; `reason` is a full sentence */
  lost(name: string, reason: string): void
  /** engine connection lost / back (at most one line per transition) */
  info(text: string): void
}

export interface WatchedContainer {
  name: string
  state: string
  exitCode?: number
}

/** How the engine is asked; replaceable in tests. */
export type ListFn = (slug: string) => Promise<WatchedContainer[]>

const POLL_MS = 1000
const MAX_BACKOFF_MS = 10_000

async function _listByLabel(slug: string): Promise<WatchedContainer[]> {
  const { request } = await import("../docker/client.ts")
  const list = await request<{ Labels?: Record<string, string>; State: string; Status: string }[]>({
    method: "GET",
    path: "/containers/json",
    query: { all: true, filters: { label: [`${LABEL_PROJECT}=${slug}`] } },
    doing: "checking the project's containers",
  })
  return list.map((c) => {
    const code = /Exited \((-?\d+)\)/.exec(c.Status)?.[1]
    return { name: c.Labels?.[LABEL_SERVICE] ?? "", state: c.State, ...(code !== undefined ? { exitCode: Number(code) } : {}) }
  })
}

export class ContainerWatch {
  private timer?: ReturnType<typeof setTimeout>
  private stopped = true
  private engineDown = false
  private failures = 0
  private polling?: Promise<void>

  constructor(
    private readonly slug: string,
    private readonly hooks: ContainerWatchHooks,
    private readonly opts: { intervalMs?: number; list?: ListFn } = {},
  ) {}

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.schedule(this.opts.intervalMs ?? POLL_MS)
  }

  /** Stops polling; resolves once an in-flight check has finished (it reports nothing more). */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.polling
  }

  /** One check now (also what the timer runs). */
  async check(): Promise<void> {
    let found: WatchedContainer[]
    try {
      found = await (this.opts.list ?? _listByLabel)(this.slug)
    } catch (e) {
      if (this.stopped) return
      this.failures++
      if (!this.engineDown) {
        this.engineDown = true
        this.hooks.info(`lost the connection to the Docker engine (${(e as Error).message.split("\n")[0]}); retrying with backoff`)
      }
      return
    }
    if (this.stopped) return
    if (this.engineDown) {
      this.engineDown = false
      this.hooks.info(`reconnected to the Docker engine after ${this.failures} failed check${this.failures === 1 ? "" : "s"}`)
    }
    this.failures = 0
    const byName = new Map(found.map((c) => [c.name, c]))
    // expected() is read after the engine answered: a container devrig began stopping
    // meanwhile has left it and is not mistaken for a loss.
    for (const name of this.hooks.expected()) {
      const c = byName.get(name)
      if (!c) this.hooks.lost(name, `container ${name} was removed outside devrig (restart it with \`devrig restart ${name}\`)`)
      else if (c.state !== "running")
        this.hooks.lost(name, `container ${name} is ${c.state}${c.exitCode !== undefined ? ` (exit code ${c.exitCode})` : ""} outside devrig's control (restart it with \`devrig restart ${name}\`)`)
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      // a throwing hook must not become an unhandled rejection in the supervisor
      this.polling = this.check().catch(() => {}).finally(() => {
        this.polling = undefined
        const base = this.opts.intervalMs ?? POLL_MS
        this.schedule(this.failures ? Math.min(base * 2 ** this.failures, MAX_BACKOFF_MS) : base)
      })
    }, ms)
    // polling alone must never keep a process alive
    this.timer.unref?.()
  }
}
