/**
 * Fan-out of live events to WebSocket clients. Ingest events are coalesced and flushed every
 * FLUSH_MS as one message per signal, so a burst of spans costs clients one frame. A client
 * whose unsent buffer passes MAX_BUFFERED_BYTES has stopped reading: it is closed (1008)
 * rather than letting its queue grow without bound.
 */
import type { StoredLog } from "../otel/store-logs.ts"
import type { IngestEvent, TelemetryStore } from "../otel/store.ts"
import { listMetrics } from "../query/metrics.ts"
import { summarize } from "../query/traces.ts"
import type { WsEvent } from "./api-types.ts"
import type { Controller } from "./controller.ts"

export const FLUSH_MS = 250
export const MAX_BUFFERED_BYTES = 1024 * 1024
const MAX_ITEMS_PER_FLUSH = 200

export interface WsClient {
  send(text: string): number
  bufferedAmount(): number
  close(code: number, reason: string): void
}

export class WsHub {
  private clients = new Set<WsClient>()
  private traceIds = new Set<string>()
  private logs: StoredLog[] = []
  private metricNames = new Set<string>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private unsubscribe: (() => void)[] = []

  constructor(
    private store: TelemetryStore,
    controller: Controller | undefined,
  ) {
    this.unsubscribe.push(store.subscribe((e) => this.onIngest(e)))
    if (controller) this.unsubscribe.push(controller.subscribe((e) => this.broadcast(e)))
  }

  get size(): number {
    return this.clients.size
  }

  add(client: WsClient): void {
    this.clients.add(client)
  }

  remove(client: WsClient): void {
    this.clients.delete(client)
  }

  send(client: WsClient, event: WsEvent): void {
    this.deliver(client, JSON.stringify(event))
  }

  broadcast(event: WsEvent): void {
    if (this.clients.size === 0) return
    const text = JSON.stringify(event)
    for (const c of this.clients) this.deliver(c, text)
  }

  /** Send pending batches now (tests; also the timer). */
  flush(): void {
    this.timer = undefined
    if (this.traceIds.size) {
      const traces = []
      for (const id of this.traceIds) {
        const t = this.store.traces.byId.get(id)
        if (t) traces.push(summarize(t))
      }
      this.traceIds.clear()
      if (traces.length) this.broadcast({ type: "traces", traces: traces.slice(-MAX_ITEMS_PER_FLUSH) })
    }
    if (this.logs.length) {
      const logs = this.logs.slice(-MAX_ITEMS_PER_FLUSH).map((l) => l.rec)
      this.logs = []
      this.broadcast({ type: "logs", logs })
    }
    if (this.metricNames.size) {
      const names = this.metricNames
      this.metricNames = new Set()
      const metrics = listMetrics(this.store).filter((m) => names.has(m.name))
      if (metrics.length) this.broadcast({ type: "metrics", metrics })
    }
    this.broadcast({ type: "collector", collector: this.store.counters() })
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    for (const u of this.unsubscribe) u()
    for (const c of this.clients) c.close(1001, "devrig is stopping")
    this.clients.clear()
  }

  private onIngest(e: IngestEvent): void {
    if (this.clients.size === 0) return
    if (e.signal === "traces") for (const id of e.traceIds) this.traceIds.add(id)
    else if (e.signal === "metrics") for (const n of e.names) this.metricNames.add(n)
    else {
      this.logs.push(...e.logs.slice(-MAX_ITEMS_PER_FLUSH))
      if (this.logs.length > MAX_ITEMS_PER_FLUSH * 2) this.logs = this.logs.slice(-MAX_ITEMS_PER_FLUSH)
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS)
  }

  private deliver(c: WsClient, text: string): void {
    let ok = false
    try {
      ok = c.bufferedAmount() <= MAX_BUFFERED_BYTES && c.send(text) !== 0
    } catch {
      ok = false
    }
    if (!ok) {
      this.clients.delete(c)
      try {
        c.close(1008, "client is not reading; reconnect and refetch")
      } catch {}
    }
  }
}
