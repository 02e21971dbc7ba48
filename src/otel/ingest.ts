/**
 * OTLP export requests (protobuf-es messages, whatever the transport) → store records, with
 * the attribute limits applied. Spans and log records go straight into the store's compact
 * form (only their inline fields are computed here); metrics become plain points. Resource and
 * scope objects are converted once per ResourceX/ScopeX and shared by every item under them.
 */
import { attributesKey, idOrUndefined, isoFromMs, limitedAttributes, nanosToMs, serviceOf, truncate, type AttrLimits, type LimitCounters } from "./attrs.ts"
import { levelOf, type LogIn } from "./store-logs.ts"
import type { IncomingPoint, StoredPoint } from "./store-metrics.ts"
import type { ResourceInfo } from "./store-traces.ts"
import { protoBits, spanShape, type SpanIn } from "./compact-span.ts"
import type { TelemetryStore } from "./store.ts"
import type { ExportTraceServiceRequest } from "./gen/trace_service_pb.ts"
import type { ExportLogsServiceRequest } from "./gen/logs_service_pb.ts"
import type { ExportMetricsServiceRequest } from "./gen/metrics_service_pb.ts"
import type { Resource } from "./gen/resource_pb.ts"
import type { InstrumentationScope, KeyValue } from "./gen/common_pb.ts"
import type { Exemplar, Metric } from "./gen/metrics_pb.ts"
import type { Attributes, MetricPoint } from "./model.ts"

/** The store's limits and counters, bundled for the converters below. */
export interface Lim {
  a: AttrLimits
  c: LimitCounters
}

export const lim = (store: TelemetryStore): Lim => ({ a: store.attrLimits, c: store.limited })

/** A short string field (names, messages): cut at the value length limit. */
export function short(s: string, l: Lim): string {
  if (s.length <= l.a.valueLength) return s
  l.c.truncatedValues++
  return truncate(s, l.a.valueLength)
}

export function resourceInfo(r: Resource | undefined, l: Lim): ResourceInfo {
  const attrs = limitedAttributes(r?.attributes ?? [], l.a, l.c)
  return { service: serviceOf(attrs), attributes: attrs }
}

export function scopeInfo(s: InstrumentationScope | undefined, l: Lim): { name: string; version?: string } {
  return s?.version ? { name: short(s.name, l), version: short(s.version, l) } : { name: short(s?.name ?? "", l) }
}

function httpStatus(attrs: Record<string, unknown>): number | undefined {
  const v = attrs["http.response.status_code"] ?? attrs["http.status_code"]
  const n = typeof v === "string" ? Number(v) : v
  return typeof n === "number" && Number.isFinite(n) ? n : undefined
}

/** http.response.status_code (or the older http.status_code) of a protobuf span, if any. */
function httpStatusOf(kvs: KeyValue[]): number | undefined {
  for (const kv of kvs) {
    if (kv.key !== "http.response.status_code" && kv.key !== "http.status_code") continue
    const v = kv.value?.value
    const n = v?.case === "intValue" ? Number(v.value) : v?.case === "stringValue" ? Number(v.value) : v?.case === "doubleValue" ? v.value : undefined
    if (n !== undefined && Number.isFinite(n)) return n
  }
  return undefined
}

function nonZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return true
  return false
}

/**
 * Spans go from the protobuf message straight into the store's compact form: only the inline
 * fields are computed here, the rest is encoded from the message by the store.
 */
export function ingestTraces(store: TelemetryStore, req: ExportTraceServiceRequest): number {
  const out: SpanIn[] = []
  const l = lim(store)
  for (const rs of req.resourceSpans) {
    const resource = resourceInfo(rs.resource, l)
    for (const ss of rs.scopeSpans) {
      const scope = scopeInfo(ss.scope, l)
      for (const s of ss.spans) {
        const traceId = idOrUndefined(s.traceId)
        const id = s.spanId
        if (!traceId || !nonZero(id)) continue // unusable without ids; counted as received only
        const statusCode = s.status?.code ?? 0
        const http = statusCode === 2 ? undefined : httpStatusOf(s.attributes)
        const isError = statusCode === 2 || (http !== undefined && http >= 500)
        const eight = id.length === 8
        const startNs = s.startTimeUnixNano
        const endNs = s.endTimeUnixNano < startNs ? startNs : s.endTimeUnixNano
        out.push({
          traceId,
          hi: eight ? ((id[0]! << 24) | (id[1]! << 16) | (id[2]! << 8) | id[3]!) : 0,
          lo: eight ? ((id[4]! << 24) | (id[5]! << 16) | (id[6]! << 8) | id[7]!) : 0,
          bits: protoBits(s, isError),
          startMs: nanosToMs(startNs),
          endMs: nanosToMs(endNs),
          shape: spanShape({ name: short(s.name, l), resource, scope }),
          proto: s,
        })
      }
    }
  }
  store.addSpanIns(out)
  return out.length
}

export function ingestLogs(store: TelemetryStore, req: ExportLogsServiceRequest): number {
  const out: LogIn[] = []
  const now = store.now()
  const lm = lim(store)
  for (const rl of req.resourceLogs) {
    const resource = resourceInfo(rl.resource, lm)
    for (const sl of rl.scopeLogs) {
      const scope = scopeInfo(sl.scope, lm)
      for (const l of sl.logRecords) {
        const observedNs = l.observedTimeUnixNano || BigInt(now) * 1_000_000n
        const timeNs = l.timeUnixNano || observedNs
        out.push({
          timeMs: nanosToMs(timeNs),
          receivedAt: now,
          service: resource.service,
          traceId: idOrUndefined(l.traceId),
          level: levelOf(l.severityNumber, l.severityText),
          scope,
          resource: resource.attributes,
          proto: { rec: l, timeNs, observedMs: nanosToMs(observedNs), lim: lm.a, counters: lm.c },
        })
      }
    }
  }
  store.addLogIns(out)
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
function metricPoints(m: Metric, service: string, now: number, out: IncomingPoint[], l: Lim): void {
  const attributes = (kvs: KeyValue[]) => limitedAttributes(kvs, l.a, l.c)
  const data = m.data
  if (!data.case) return
  const base = { name: short(m.name, l), unit: short(m.unit, l), description: short(m.description, l), service }
  const push = (type: IncomingPoint["type"], attrs: Attributes, timeMs: number, point: MetricPoint, extra = {}) => {
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
  const l = lim(store)
  for (const rm of req.resourceMetrics) {
    const { service } = resourceInfo(rm.resource, l)
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) metricPoints(m, service, now, out, l)
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
