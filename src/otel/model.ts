/**
 * The telemetry model: traces, spans, logs, metrics and the collector's counters, as the store
 * answers queries and as the REST API, `devrig query`, the MCP tools and the dashboard show them
 * (src/server/api-types.ts serves them unchanged; its conventions apply: hex ids, ISO times,
 * plain-JSON attribute values).
 */

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue }
export type Attributes = Record<string, AttrValue>

// ─── Traces ─────────────────────────────────────────────────────────────────────────────────

export type TraceStatus = "ok" | "error"

/** One row of GET /api/traces and `devrig query traces` (NDJSON line). */
export interface TraceSummary {
  traceId: string
  /** service of the root span (or of the earliest span when the root has not arrived) */
  service: string
  /** root span name */
  operation: string
  duration_ms: number
  status: TraceStatus
  /** number of spans received so far */
  spans: number
  /** start of the trace */
  timestamp: string
  /** every service that contributed a span, sorted */
  services: string[]
  /** number of spans with error status (status code ERROR, or HTTP status >= 500) */
  errorCount: number
  /** false while the root span (no parent) has not been received */
  hasRoot: boolean
  /** what the request was: the head span's http.route, else url.path / http.target, else its name */
  route: string
  /** the span with the largest self time (its duration minus its children's) */
  bottleneck?: SpanBrief
  /** the trace's cause of failure: the earliest error span none of whose children failed, with its status or exception message */
  error?: SpanBrief & { message: string }
  /** with a service filter: that service's own slowest span (by duration) */
  serviceSpan?: SpanBrief & { duration_ms: number }
}

/** A pointer to one span of a trace, with its self time (ms). */
export interface SpanBrief {
  spanId: string
  service: string
  name: string
  self_ms: number
}

export type SpanKind = "unspecified" | "internal" | "server" | "client" | "producer" | "consumer"
export type SpanStatusCode = "unset" | "ok" | "error"

export interface SpanEvent {
  name: string
  timestamp: string
  timeUnixNano: string
  attributes: Attributes
}

export interface SpanLink {
  traceId: string
  spanId: string
  traceState?: string
  attributes: Attributes
}

export interface SpanDetail {
  traceId: string
  spanId: string
  /** absent for a root span */
  parentSpanId?: string
  name: string
  service: string
  kind: SpanKind
  startTime: string
  endTime: string
  startTimeUnixNano: string
  endTimeUnixNano: string
  duration_ms: number
  status: { code: SpanStatusCode; message?: string }
  /** true when status is error or an http status attribute is >= 500 */
  isError: boolean
  attributes: Attributes
  events: SpanEvent[]
  links: SpanLink[]
  /** index into the trace's `resources` (each resource is listed once per trace) */
  resourceIndex: number
  /** time not covered by child spans, ms */
  self_ms: number
  scope: { name: string; version?: string }
  /** depth in the span tree (root = 0); orphans whose parent never arrived are depth 0 */
  depth: number
  /** spanIds of direct children, ordered by start time */
  children: string[]
}

/** GET /api/traces/:id and `devrig query trace <id>`. */
export interface TraceDetail extends TraceSummary {
  /** spans in depth-first tree order (parent before children, siblings by start time) */
  spans_detail: SpanDetail[]
  /** spanIds with no parent in this trace (the root, plus orphans) */
  roots: string[]
  /** the resources of the trace's spans, each once (spans refer to them by resourceIndex) */
  resources: { service: string; attributes: Attributes }[]
  /** log records carrying this trace id, oldest first */
  logs: LogRecord[]
}

// ─── Logs ───────────────────────────────────────────────────────────────────────────────────

export interface LogRecord {
  /** record time (falls back to observed time when the sender left it 0) */
  timestamp: string
  observedTimestamp: string
  timeUnixNano: string
  service: string
  severityText: string
  /** OTLP severity number 0–24 (0 = unspecified) */
  severityNumber: number
  /** normalized level derived from severityNumber (or severityText when the number is 0) */
  level: LogLevel
  /** string bodies stay strings; structured bodies are JSON values */
  body: AttrValue
  attributes: Attributes
  traceId?: string
  spanId?: string
  resource: Attributes
  scope: { name: string; version?: string }
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "unspecified"

// ─── Metrics ────────────────────────────────────────────────────────────────────────────────

export type MetricType = "gauge" | "sum" | "histogram" | "exponential_histogram" | "summary"

/** One row of GET /api/metrics (no name) and `devrig query metrics`. */
export interface MetricInfo {
  name: string
  type: MetricType
  unit: string
  description: string
  services: string[]
  /** number of distinct series (service + attributes) */
  series: number
  /** data points currently stored */
  points: number
  lastTimestamp: string
  /** sums only */
  monotonic?: boolean
  temporality?: "cumulative" | "delta" | "unspecified"
}

export interface NumberPoint {
  timestamp: string
  timeUnixNano: string
  startTimeUnixNano?: string
  value: number
  /** trace ids of exemplars attached to this point (cross-navigation) */
  exemplarTraceIds?: string[]
}

/** What both histogram kinds carry. */
interface HistogramHead {
  /** p50/p90/p99 estimated from this point's buckets (added by queries) */
  percentiles?: { count: number; p50: number; p90: number; p99: number }
  timestamp: string
  timeUnixNano: string
  startTimeUnixNano?: string
  count: number
  sum?: number
  min?: number
  max?: number
}

export interface HistogramPoint extends HistogramHead {
  /** explicit upper bounds; bucketCounts has bounds.length + 1 entries */
  bounds: number[]
  bucketCounts: number[]
  exemplarTraceIds?: string[]
}

export interface ExponentialHistogramPoint extends HistogramHead {
  scale: number
  zeroCount: number
  positive: { offset: number; bucketCounts: number[] }
  negative: { offset: number; bucketCounts: number[] }
  exemplarTraceIds?: string[]
}

export interface SummaryPoint {
  timestamp: string
  timeUnixNano: string
  startTimeUnixNano?: string
  count: number
  sum: number
  quantiles: { quantile: number; value: number }[]
}

export type MetricPoint = NumberPoint | HistogramPoint | ExponentialHistogramPoint | SummaryPoint

/** One series of GET /api/metrics?name=… and `devrig query metrics --name …`. */
export interface MetricSeries {
  name: string
  type: MetricType
  unit: string
  service: string
  attributes: Attributes
  /**
   * histograms: p50/p90/p99 over the returned points (delta points added up; cumulative: the
   * last point minus the first), and each point carries its own `percentiles`
   */
  percentiles?: { count: number; p50: number; p90: number; p99: number }
  /** oldest first; the shape depends on `type` */
  points: MetricPoint[]
}

// ─── Cross-telemetry ────────────────────────────────────────────────────────────────────────

/** GET /api/traces/:id/related and `devrig query related <id>`. */
export interface RelatedTelemetry {
  trace: TraceSummary
  /** the window used for the service/time fallback: trace start − 5 s … trace end + 5 s */
  window: { from: string; to: string }
  /** logs carrying this trace id, oldest first */
  logs: LogRecord[]
  /**
   * logs of the trace's services inside the window that carry no (or another) trace id, marked
   * `nearby: true`: only warn/error/fatal and at most 10, unless asked for all (`all=1`)
   */
  nearbyLogs: (LogRecord & { nearby: true })[]
  /** series of the trace's services with the points inside the window */
  metrics: MetricSeries[]
}

// ─── Status ─────────────────────────────────────────────────────────────────────────────────

export interface SignalCounters {
  /** items accepted by the receivers (spans, data points, log records) */
  received: number
  /** items currently held */
  stored: number
  /** items dropped by the count cap or the retention age */
  evicted: number
}

/** One `[dashboard.otel] forward` endpoint; counts are export requests (one per received request). */
export interface ForwardCounters {
  endpoint: string
  protocol: "http/protobuf" | "grpc"
  /** accepted by the endpoint */
  sent: number
  /** given up: a non-retryable answer, or still failing after the retries */
  failed: number
  /** dropped unsent because the queue was full (the endpoint slow or down) */
  dropped: number
  /** retry attempts so far */
  retries: number
  /** waiting to be sent */
  queued: number
  lastError?: string
  lastErrorAt?: string
}

export interface CollectorCounters {
  traces: SignalCounters & { traceCount: number }
  metrics: SignalCounters & { seriesCount: number }
  logs: SignalCounters
  /** requests rejected (malformed, oversized) */
  rejectedRequests: number
  /** approximate bytes held across signals, the budget, and items evicted to stay within it */
  memory?: { bytes: number; maxBytes: number; evicted: number }
  /** attribute values and log bodies cut to the length limit (they end in "…") */
  truncatedValues?: number
  /** attributes dropped over the count limit */
  droppedAttributes?: number
  limits: {
    traceBuffer: number
    metricBuffer: number
    logBuffer: number
    retentionMs: number
    maxBytes?: number
    attributeValueLength?: number
    attributeCount?: number
    logBodyLength?: number
  }
  /** forwarding to [dashboard.otel] forward endpoints, when configured */
  forward?: ForwardCounters[]
}
