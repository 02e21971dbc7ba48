/**
 * Forwarding: every OTLP export request the receivers accept is sent on, as protobuf bytes, to
 * each `[dashboard.otel] forward` endpoint — OTLP/HTTP (POST <base>/v1/<signal>) or OTLP/gRPC
 * (one unary call over a kept-open HTTP/2 session). Ingest only appends to a bounded queue per
 * endpoint (O(1), never awaited); one sender per endpoint drains it, merging queued requests of
 * a signal into one (protobuf concatenation). A slow or absent endpoint costs at most
 * `queueSize` requests / MAX_QUEUE_BYTES of memory plus the batch on the wire: beyond that the
 * oldest request is dropped. Failures are retried as the OTLP spec says: only retryable statuses (HTTP 429,
 * 502, 503, 504; gRPC CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, OUT_OF_RANGE,
 * UNAVAILABLE, DATA_LOSS) and network errors, with exponential backoff and jitter, honouring
 * Retry-After; then the request counts as failed and the next one is tried.
 */
import http2 from "node:http2"
import type { ResolvedForward } from "../config/resolved.ts"
import type { ForwardCounters } from "./model.ts"

export type Signal = "traces" | "metrics" | "logs"

/** bytes queued per endpoint before the oldest requests are dropped */
export const MAX_QUEUE_BYTES = 64 * 1024 * 1024
/** requests of one signal merged into one send, up to this size */
const MAX_BATCH_BYTES = 4 * 1024 * 1024
const MAX_ATTEMPTS = 5
const INITIAL_BACKOFF_MS = 1_000
const MAX_BACKOFF_MS = 5_000
const MAX_RETRY_AFTER_MS = 30_000
const TIMEOUT_MS = 10_000

const GRPC_PATHS: Record<Signal, string> = {
  traces: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
  metrics: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
  logs: "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
}
const RETRYABLE_HTTP = new Set([429, 502, 503, 504])
const RETRYABLE_GRPC = new Set([1, 4, 8, 10, 11, 14, 15])

interface Item {
  signal: Signal
  body: Uint8Array
}

/** One attempt's outcome: ok, or an error that may be retried (after retryAfterMs, when the server said). */
type Outcome = { ok: true } | { ok: false; retryable: boolean; error: string; retryAfterMs?: number }

/** Retry-After: delay-seconds or an HTTP date. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  const s = Number(value)
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(value) - now
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined
}

/** Exponential backoff with full jitter on the upper half (attempt 1 → 0.5–1 s, capped at 5 s). */
export function backoffMs(attempt: number, random = Math.random): number {
  const cap = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** (attempt - 1))
  return Math.round(cap / 2 + (random() * cap) / 2)
}

class Target {
  private queue: Item[] = []
  private head = 0
  private bytes = 0
  private sending = false
  private stopped = false
  private wake?: () => void
  private session?: http2.ClientHttp2Session
  private abort = new AbortController()
  readonly counters: ForwardCounters

  constructor(readonly cfg: ResolvedForward) {
    this.counters = { endpoint: cfg.endpoint, protocol: cfg.protocol, sent: 0, failed: 0, dropped: 0, retries: 0, queued: 0 }
  }

  push(item: Item): void {
    if (this.stopped) return
    this.queue.push(item)
    this.bytes += item.body.byteLength
    while (this.length() > 1 && (this.length() > this.cfg.queueSize || this.bytes > MAX_QUEUE_BYTES)) {
      this.bytes -= this.queue[this.head]!.body.byteLength
      this.queue[this.head++] = undefined as unknown as Item
      this.counters.dropped++
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    this.counters.queued = this.length()
    if (!this.sending) void this.drain()
  }

  private length(): number {
    return this.queue.length - this.head
  }

  /**
   * Takes the oldest requests of one signal off the queue as one request: serialized protobuf
   * messages of the same type concatenate into their merge (repeated fields append), so the
   * bytes stay as received and a backlog drains in a few large requests.
   */
  private takeBatch(): { signal: Signal; body: Uint8Array; count: number } {
    const first = this.queue[this.head]!
    const parts: Uint8Array[] = []
    let size = 0
    while (this.length() > 0) {
      const it = this.queue[this.head]!
      if (it.signal !== first.signal || (parts.length > 0 && size + it.body.byteLength > MAX_BATCH_BYTES)) break
      parts.push(it.body)
      size += it.body.byteLength
      this.bytes -= it.body.byteLength
      this.queue[this.head++] = undefined as unknown as Item
    }
    this.counters.queued = this.length()
    if (parts.length === 1) return { signal: first.signal, body: parts[0]!, count: 1 }
    const body = new Uint8Array(size)
    let at = 0
    for (const p of parts) {
      body.set(p, at)
      at += p.byteLength
    }
    return { signal: first.signal, body, count: parts.length }
  }

  private async drain(): Promise<void> {
    this.sending = true
    try {
      while (!this.stopped && this.length() > 0) {
        const batch = this.takeBatch()
        for (let attempt = 1; ; ) {
          const out = await this.send(batch)
          if (this.stopped) return
          if (out.ok) {
            this.counters.sent += batch.count
            break
          }
          this.counters.lastError = out.error
          this.counters.lastErrorAt = new Date().toISOString()
          if (!out.retryable || attempt >= MAX_ATTEMPTS) {
            this.counters.failed += batch.count
            break
          }
          this.counters.retries++
          await this.sleep(out.retryAfterMs ?? backoffMs(attempt++))
          if (this.stopped) return
        }
      }
    } finally {
      this.sending = false
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms)
      this.wake = () => {
        clearTimeout(t)
        resolve()
      }
    })
  }

  private send(item: { signal: Signal; body: Uint8Array }): Promise<Outcome> {
    return this.cfg.protocol === "grpc" ? this.sendGrpc(item) : this.sendHttp(item)
  }

  private async sendHttp(item: { signal: Signal; body: Uint8Array }): Promise<Outcome> {
    const url = `${this.cfg.endpoint.replace(/\/+$/, "")}/v1/${item.signal}`
    try {
      const res = await fetch(url, {
        method: "POST",
        body: item.body as Uint8Array<ArrayBuffer>,
        headers: { ...this.cfg.headers, "content-type": "application/x-protobuf" },
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(TIMEOUT_MS)]),
      })
      await res.arrayBuffer().catch(() => undefined)
      if (res.ok) return { ok: true }
      return { ok: false, retryable: RETRYABLE_HTTP.has(res.status), error: `HTTP ${res.status}`, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) }
    } catch (e) {
      return { ok: false, retryable: true, error: (e as Error).message ?? String(e) }
    }
  }

  private grpcSession(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session
    const authority = this.cfg.endpoint.replace(/^grpc(s?):\/\//, "http$1://").replace(/\/+$/, "")
    const s = http2.connect(authority)
    s.on("error", () => {})
    s.on("close", () => {
      if (this.session === s) this.session = undefined
    })
    s.unref()
    this.session = s
    return s
  }

  private sendGrpc(item: { signal: Signal; body: Uint8Array }): Promise<Outcome> {
    return new Promise((resolve) => {
      let settled = false
      const done = (o: Outcome) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(o)
      }
      const timer = setTimeout(() => {
        req?.close(http2.constants.NGHTTP2_CANCEL)
        this.session?.destroy()
        done({ ok: false, retryable: true, error: `no answer within ${TIMEOUT_MS / 1000}s` })
      }, TIMEOUT_MS)
      let req: http2.ClientHttp2Stream | undefined
      try {
        const headers: http2.OutgoingHttpHeaders = { ":method": "POST", ":path": GRPC_PATHS[item.signal], "content-type": "application/grpc", te: "trailers" }
        for (const [k, v] of Object.entries(this.cfg.headers)) headers[k.toLowerCase()] = v
        req = this.grpcSession().request(headers)
      } catch (e) {
        this.session?.destroy()
        return done({ ok: false, retryable: true, error: (e as Error).message })
      }
      let status: string | undefined
      let message = ""
      let retryAfter: number | undefined
      const read = (h: http2.IncomingHttpHeaders) => {
        if (h["grpc-status"] !== undefined) status = String(h["grpc-status"])
        if (h["grpc-message"]) message = decodeURIComponent(String(h["grpc-message"]))
        retryAfter ??= retryAfterMs(h["retry-after"] as string | undefined)
      }
      req.on("response", (h) => {
        const http = Number(h[":status"])
        if (http !== 200) done({ ok: false, retryable: RETRYABLE_HTTP.has(http), error: `HTTP ${http}`, retryAfterMs: retryAfterMs(h["retry-after"] as string | undefined) })
        read(h)
      })
      req.on("trailers", read)
      req.on("data", () => {})
      req.on("end", () => {
        if (status === "0") return done({ ok: true })
        const code = Number(status ?? 2)
        done({ ok: false, retryable: RETRYABLE_GRPC.has(code), error: `gRPC status ${code}${message ? `: ${message}` : ""}`, retryAfterMs: retryAfter })
      })
      req.on("error", (e) => {
        this.session?.destroy()
        done({ ok: false, retryable: true, error: e.message })
      })
      const frame = new Uint8Array(5 + item.body.byteLength)
      new DataView(frame.buffer).setUint32(1, item.body.byteLength)
      frame.set(item.body, 5)
      req.end(frame)
    })
  }

  stop(): void {
    this.stopped = true
    this.abort.abort()
    this.wake?.()
    this.session?.destroy()
    this.queue = []
    this.head = 0
    this.bytes = 0
  }
}

export class Forwarder {
  private targets: Target[]

  constructor(config: ResolvedForward[]) {
    this.targets = config.map((c) => new Target(c))
  }

  /**
   * Hands one received export request (serialized ExportXServiceRequest protobuf) to every
   * endpoint. Returns at once; the bytes must not be modified afterwards.
   */
  forward(signal: Signal, body: Uint8Array): void {
    for (const t of this.targets) t.push({ signal, body })
  }

  counters(): ForwardCounters[] {
    return this.targets.map((t) => ({ ...t.counters }))
  }

  stop(): void {
    for (const t of this.targets) t.stop()
  }
}
