/**
 * Every JSON shape the REST API (/api/*) and the WebSocket (/api/ws) return. Shared by the
 * server, `devrig query` and the dashboard. Stability contract: fields are only ever added,
 * never renamed or removed.
 *
 * Conventions:
 * - ids (traceId, spanId) are lowercase hex, as in OTLP/JSON;
 * - timestamps are ISO 8601 strings (UTC, millisecond precision); `*_ms` fields are numbers;
 *   `*UnixNano` fields are decimal strings (int64 does not fit a JS number);
 * - attribute values are plain JSON (string, number, boolean, array, object, or null);
 *   bytes become base64 strings, int64 beyond 2^53 become decimal strings.
 */
import type { CollectorCounters, LogRecord, MetricInfo, TraceSummary } from "../otel/model.ts"
import type { ComponentStatus, StatusSnapshot } from "../status.ts"

// The telemetry model belongs to the otel domain; the API serves it as it is.
export type * from "../otel/model.ts"

/**
 * Error body of every non-2xx /api response (404 unknown path/id, 400 bad query, 403 origin,
 * 409 config changed on disk, 422 invalid config).
 */
export interface ApiError {
  error: { code: "NOT_FOUND" | "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "CONFLICT" | "INVALID_CONFIG" | "INTERNAL"; message: string }
}

/** GET /api/status and `devrig query status`. */
export interface StatusResponse extends StatusSnapshot {
  collector: CollectorCounters
}

/** A validation problem of devrig.toml (1-based line and column), as `devrig validate` prints it. */
export interface ConfigProblem {
  line: number
  column: number
  message: string
}

/** GET /api/config */
export interface ConfigResponse {
  path: string
  /** the file as it is on disk (even when it does not parse) */
  source: string
  problems: ConfigProblem[]
  /** content hash of `source`; send it back as `PUT /api/config?base=…` to refuse clobbering an outside edit */
  revision?: string
}

/** POST /api/config/validate (body: TOML text). Nothing is written. */
export interface ConfigValidateResponse {
  problems: ConfigProblem[]
}

/**
 * PUT /api/config (body: TOML text; `?force=1` saves despite problems; `?base=<revision>`
 * refuses with 409 when the file changed since). The running devrig applies the saved file
 * through hot reload, as for a save from an editor.
 */
export interface ConfigSaveResponse {
  saved: true
  /** false when the text equals the file: nothing written, nothing reloaded */
  changed: boolean
  /** empty unless forced */
  problems: ConfigProblem[]
  /** revision of the saved text */
  revision: string
}

/** 422 from PUT /api/config: the text has problems and nothing was written. */
export interface ConfigRefused extends ApiError {
  problems: ConfigProblem[]
}

/** 409 from PUT /api/config?base=…: the file changed on disk since that revision. */
export interface ConfigConflict extends ApiError {
  revision: string
}

// ─── Lifecycle events ───────────────────────────────────────────────────────────────────────

/**
 * The supervisor records lifecycle events as OTLP log records of service `devrig`, with a
 * human sentence as the body ("api crashed (exit 1); restarting in 2s") and these attributes.
 * The dashboard draws them as markers on the timelines, charts and logs.
 */
export type LifecycleEventKind = "start" | "ready" | "crash" | "restart" | "stop" | "failed" | "reload" | "rebuild"

export interface LifecycleEventAttributes {
  "devrig.event": LifecycleEventKind
  /** the service, container or cluster item the event is about */
  "devrig.component": string
  exit_code?: number
  signal?: string
  attempt?: number
  delay_ms?: number
  reason?: string
}

/** POST /api/services/:name/{start,stop,restart} */
export interface ActionResponse {
  ok: true
  name: string
  action: "start" | "stop" | "restart"
}

/** GET /api/env → service → vars; GET /api/env/:service → vars (secrets masked) */
export type EnvResponse = Record<string, Record<string, string>>
export type ServiceEnvResponse = Record<string, string>

// ─── WebSocket /api/ws ──────────────────────────────────────────────────────────────────────

/**
 * Server → client messages (JSON text frames). Telemetry events are batched: one message per
 * signal per flush (~250 ms) rather than one per item. A client that falls too far behind is
 * closed (code 1008) and should reconnect and refetch.
 */
export type WsEvent =
  | { type: "hello"; status: StatusResponse }
  | { type: "status"; component: ComponentStatus }
  | { type: "traces"; traces: TraceSummary[] }
  | { type: "logs"; logs: LogRecord[] }
  | { type: "metrics"; metrics: MetricInfo[] }
  | { type: "collector"; collector: CollectorCounters }
