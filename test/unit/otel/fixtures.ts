// Builders for hand-made store records (unit tests).
import type { StoredSpan } from "../../../src/otel/store-traces.ts"
import type { IncomingLog } from "../../../src/otel/store-logs.ts"
import type { IncomingPoint } from "../../../src/otel/store-metrics.ts"

export const hex = (n: number, len: number) => n.toString(16).padStart(len, "0")

export function span(trace: number, id: number, o: Partial<StoredSpan> & { service?: string; startMs?: number; dur?: number } = {}): StoredSpan {
  const startMs = o.startMs ?? 1_000
  const endMs = startMs + (o.dur ?? 10)
  return {
    traceId: hex(trace, 32),
    spanId: hex(id, 16),
    name: "op",
    kind: 2,
    startNs: BigInt(startMs) * 1_000_000n,
    endNs: BigInt(endMs) * 1_000_000n,
    startMs,
    endMs,
    statusCode: 0,
    statusMessage: "",
    isError: false,
    attributes: {},
    events: [],
    links: [],
    resource: { service: o.service ?? "api", attributes: { "service.name": o.service ?? "api" } },
    scope: { name: "t" },
    ...o,
  }
}

export function log(i: number, o: { service?: string; traceId?: string; timeMs?: number; receivedAt?: number; level?: "info" | "error"; body?: string } = {}): IncomingLog {
  const timeMs = o.timeMs ?? i
  return {
    timeMs,
    receivedAt: o.receivedAt ?? 0,
    rec: {
      timestamp: new Date(timeMs).toISOString(),
      observedTimestamp: new Date(timeMs).toISOString(),
      timeUnixNano: String(timeMs * 1e6),
      service: o.service ?? "api",
      severityText: "",
      severityNumber: o.level === "error" ? 17 : 9,
      level: o.level ?? "info",
      body: o.body ?? `log ${i}`,
      attributes: {},
      ...(o.traceId ? { traceId: o.traceId } : {}),
      resource: {},
      scope: { name: "" },
    },
  }
}

export function point(name: string, value: number, o: { service?: string; attrs?: Record<string, string>; timeMs?: number; receivedAt?: number } = {}): IncomingPoint {
  const attrs = o.attrs ?? {}
  const timeMs = o.timeMs ?? 0
  return {
    name,
    type: "gauge",
    unit: "1",
    description: "",
    service: o.service ?? "api",
    attributes: attrs,
    attributesKey: JSON.stringify(attrs),
    stored: { timeMs, receivedAt: o.receivedAt ?? 0, point: { timestamp: new Date(timeMs).toISOString(), timeUnixNano: "0", value } },
  }
}

