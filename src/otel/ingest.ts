/**
 * OTLP export requests (protobuf-es messages, whatever the transport) → store records.
 * Resource and scope objects are converted once per ResourceX/ScopeX and shared by every
 * item under them.
 */
import { attributes, attributesKey, anyValue, idOrUndefined, isoFromMs, nanosToMs, serviceOf, toHex } from "./attrs.ts"
import { levelOf, type StoredLog } from "./store-logs.ts"
import type { IncomingPoint, StoredPoint } from "./store-metrics.ts"
import type { ResourceInfo, StoredSpan } from "./store-traces.ts"
import type { TelemetryStore } from "./store.ts"
import type { ExportTraceServiceRequest } from "./gen/trace_service_pb.ts"
import type { ExportLogsServiceRequest } from "./gen/logs_service_pb.ts"
import type { ExportMetricsServiceRequest } from "./gen/metrics_service_pb.ts"
import type { Resource } from "./gen/resource_pb.ts"
import type { InstrumentationScope } from "./gen/common_pb.ts"
import type { Exemplar, Metric } from "./gen/metrics_pb.ts"
import type { MetricPoint } from "../server/api-types.ts"

function resourceInfo(r: Resource | undefined): ResourceInfo {
  const attrs = attributes(r?.attributes ?? [])
  return { service: serviceOf(attrs), attributes: attrs }
}

function scopeInfo(s: InstrumentationScope | undefined): { name: string; version?: string } {
  return s?.version ? { name: s.name, version: s.version } : { name: s?.name ?? "" }
}

function httpStatus(attrs: Record<string, unknown>): number | undefined {
  const v = attrs["http.response.status_code"] ?? attrs["http.status_code"]
  const n = typeof v === "string" ? Number(v) : v
  return typeof n === "number" && Number.isFinite(n) ? n : undefined
}

export function ingestTraces(store: TelemetryStore, req: ExportTraceServiceRequest): number {
  const out: StoredSpan[] = []
  for (const rs of req.resourceSpans) {
    const resource = resourceInfo(rs.resource)
    for (const ss of rs.scopeSpans) {
      const scope = scopeInfo(ss.scope)
      for (const s of ss.spans) {
        const traceId = idOrUndefined(s.traceId)
        const spanId = idOrUndefined(s.spanId)
        if (!traceId || !spanId) continue // unusable without ids; counted as received only
        const attrs = attributes(s.attributes)
        const statusCode = s.status?.code ?? 0
        const http = httpStatus(attrs)
        const startNs = s.startTimeUnixNano
        const endNs = s.endTimeUnixNano < startNs ? startNs : s.endTimeUnixNano
        out.push({
          traceId,
          spanId,
          parentSpanId: idOrUndefined(s.parentSpanId),
          name: s.name,
          kind: s.kind,
          startNs,
          endNs,
          startMs: nanosToMs(startNs),
          endMs: nanosToMs(endNs),
          statusCode,
          statusMessage: s.status?.message ?? "",
          isError: statusCode === 2 || (http !== undefined && http >= 500),
          attributes: attrs,
          events: s.events.map((e) => ({
            name: e.name,
            timestamp: isoFromMs(nanosToMs(e.timeUnixNano)),
            timeUnixNano: e.timeUnixNano.toString(),
            attributes: attributes(e.attributes),
          })),
          links: s.links.map((l) => ({
            traceId: toHex(l.traceId),
            spanId: toHex(l.spanId),
            ...(l.traceState ? { traceState: l.traceState } : {}),
            attributes: attributes(l.attributes),
          })),
          resource,
          scope,
        })
      }
    }
  }
  store.addSpans(out)
  return out.length
}

export function ingestLogs(store: TelemetryStore, req: ExportLogsServiceRequest): number {
  const out: StoredLog[] = []
  const now = store.now()
  for (const rl of req.resourceLogs) {
    const resource = resourceInfo(rl.resource)
    for (const sl of rl.scopeLogs) {
      const scope = scopeInfo(sl.scope)
      for (const l of sl.logRecords) {
        const observedNs = l.observedTimeUnixNano || BigInt(now) * 1_000_000n
        const timeNs = l.timeUnixNano || observedNs
        const timeMs = nanosToMs(timeNs)
        const traceId = idOrUndefined(l.traceId)
        const spanId = idOrUndefined(l.spanId)
        const attrs = attributes(l.attributes)
        if (l.eventName && !("event.name" in attrs)) attrs["event.name"] = l.eventName
        out.push({
          timeMs,
          receivedAt: now,
          rec: {
            timestamp: isoFromMs(timeMs),
            observedTimestamp: isoFromMs(nanosToMs(observedNs)),
            timeUnixNano: timeNs.toString(),
            service: resource.service,
            severityText: l.severityText,
            severityNumber: l.severityNumber,
            level: levelOf(l.severityNumber, l.severityText),
            body: anyValue(l.body),
            attributes: attrs,
            ...(traceId ? { traceId } : {}),
            ...(spanId ? { spanId } : {}),
            resource: resource.attributes,
            scope,
          },
        })
      }
    }
  }
  store.addLogs(out)
  return out.length
}

const TEMPORALITY = ["unspecified", "delta", "cumulative"] as const

function exemplarIds(ex: Exemplar[]): { exemplarTraceIds?: string[] } {
  const ids: string[] = []
  for (const e of ex) {
    const id = idOrUndefined(e.traceId)
    if (id) ids.push(id)
  }
  return ids.length ? { exemplarTraceIds: ids } : {}
}

function times(timeNs: bigint, startNs: bigint) {
  const timeMs = nanosToMs(timeNs)
  return {
    timeMs,
    head: {
      timestamp: isoFromMs(timeMs),
      timeUnixNano: timeNs.toString(),
      ...(startNs ? { startTimeUnixNano: startNs.toString() } : {}),
    },
  }
}

/** One metric message → incoming points (each data point becomes one stored point). */
function metricPoints(m: Metric, service: string, now: number, out: IncomingPoint[]): void {
  const data = m.data
  if (!data.case) return
  const base = { name: m.name, unit: m.unit, description: m.description, service }
  const push = (type: IncomingPoint["type"], attrs: ReturnType<typeof attributes>, timeMs: number, point: MetricPoint, extra = {}) => {
    const stored: StoredPoint = { point, timeMs, receivedAt: now }
    out.push({ ...base, ...extra, type, attributes: attrs, attributesKey: attributesKey(attrs), stored })
  }
  switch (data.case) {
    case "gauge":
    case "sum": {
      const extra =
        data.case === "sum"
          ? { monotonic: data.value.isMonotonic, temporality: TEMPORALITY[data.value.aggregationTemporality] ?? "unspecified" }
          : {}
      for (const p of data.value.dataPoints) {
        const { timeMs, head } = times(p.timeUnixNano, p.startTimeUnixNano)
        const value = p.value.case === "asInt" ? Number(p.value.value) : p.value.case === "asDouble" ? p.value.value : 0
        push(data.case, attributes(p.attributes), timeMs, { ...head, value, ...exemplarIds(p.exemplars) }, extra)
      }
      return
    }
    case "histogram": {
      const extra = { temporality: TEMPORALITY[data.value.aggregationTemporality] ?? "unspecified" }
      for (const p of data.value.dataPoints) {
        const { timeMs, head } = times(p.timeUnixNano, p.startTimeUnixNano)
        const point = {
          ...head,
          ...histogramStats(p),
          bounds: p.explicitBounds,
          bucketCounts: p.bucketCounts.map(Number),
          ...exemplarIds(p.exemplars),
        }
        push("histogram", attributes(p.attributes), timeMs, point, extra)
      }
      return
    }
    case "exponentialHistogram": {
      const extra = { temporality: TEMPORALITY[data.value.aggregationTemporality] ?? "unspecified" }
      for (const p of data.value.dataPoints) {
        const { timeMs, head } = times(p.timeUnixNano, p.startTimeUnixNano)
        const point = {
          ...head,
          ...histogramStats(p),
          scale: p.scale,
          zeroCount: Number(p.zeroCount),
          positive: { offset: p.positive?.offset ?? 0, bucketCounts: (p.positive?.bucketCounts ?? []).map(Number) },
          negative: { offset: p.negative?.offset ?? 0, bucketCounts: (p.negative?.bucketCounts ?? []).map(Number) },
          ...exemplarIds(p.exemplars),
        }
        push("exponential_histogram", attributes(p.attributes), timeMs, point, extra)
      }
      return
    }
    case "summary":
      for (const p of data.value.dataPoints) {
        const { timeMs, head } = times(p.timeUnixNano, p.startTimeUnixNano)
        const point = {
          ...head,
          count: Number(p.count),
          sum: p.sum,
          quantiles: p.quantileValues.map((q) => ({ quantile: q.quantile, value: q.value })),
        }
        push("summary", attributes(p.attributes), timeMs, point)
      }
  }
}

export function ingestMetrics(store: TelemetryStore, req: ExportMetricsServiceRequest): number {
  const out: IncomingPoint[] = []
  const now = store.now()
  for (const rm of req.resourceMetrics) {
    const { service } = resourceInfo(rm.resource)
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) metricPoints(m, service, now, out)
  }
  store.addPoints(out)
  return out.length
}

/** count, and sum/min/max when the sender set them (optional in OTLP). */
function histogramStats(p: { count: bigint; sum?: number; min?: number; max?: number }) {
  return {
    count: Number(p.count),
    ...(p.sum !== undefined ? { sum: p.sum } : {}),
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
  }
}
