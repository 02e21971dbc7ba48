/** Typed REST client for /api/*. Every GET goes through a small cache so revisited views render at once. */
import type {
  ActionResponse,
  ConfigConflict,
  ConfigProblem,
  ConfigRefused,
  ConfigResponse,
  ConfigSaveResponse,
  ConfigValidateResponse,
  EnvResponse,
  LogRecord,
  MetricInfo,
  MetricSeries,
  RelatedTelemetry,
  StatusResponse,
  TraceDetail,
  TraceSummary,
} from "../../../src/server/api-types.ts"
import type { Action } from "../../../src/status.ts"

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/**
 * 401: the session cookie is not this run's (devrig restarted with a new token). Reloading
 * shows the server's page that says how to open the dashboard again.
 */
function signedOut(res: Response): void {
  if (res.status === 401) location.reload()
}

type Query = Record<string, string | number | undefined | null>

export function qs(q: Query): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ""
}

const cache = new Map<string, unknown>()

export const cached = <T>(url: string): T | undefined => cache.get(url) as T | undefined

declare global {
  interface Window {
    /** requests index.html started before the bundle ran; each is used once */
    __prefetch?: Record<string, Promise<unknown>>
  }
}

export async function get<T>(url: string): Promise<T> {
  const pre = window.__prefetch?.[url]
  if (pre) {
    delete window.__prefetch![url]
    const data = (await pre.catch(() => undefined)) as T | undefined
    if (data !== undefined) {
      cache.set(url, data)
      return data
    }
  }
  const res = await fetch(url, { headers: { accept: "application/json" } })
  signedOut(res)
  if (!res.ok) {
    let msg = res.statusText
    try {
      msg = ((await res.json()) as { error?: { message?: string } }).error?.message ?? msg
    } catch {}
    throw new ApiError(res.status, msg)
  }
  const data = (await res.json()) as T
  cache.set(url, data)
  if (cache.size > 200) cache.delete(cache.keys().next().value!)
  return data
}

async function errorMessage(res: Response): Promise<string> {
  try {
    return ((await res.json()) as { error?: { message?: string } }).error?.message ?? res.statusText
  } catch {
    return res.statusText
  }
}

export type SaveOutcome = ({ kind: "saved" } & ConfigSaveResponse) | { kind: "invalid"; problems: ConfigProblem[] } | { kind: "conflict"; revision: string }

export interface TraceQuery {
  service?: string
  status?: string
  /** a duration: "100ms" */
  minDuration?: string
  search?: string
  around?: string
  window?: string
  from?: string
  to?: string
  limit?: number
}

export interface LogQuery {
  service?: string
  /** comma-separated levels (exact matches) */
  level?: string
  search?: string
  traceId?: string
  around?: string
  from?: string
  to?: string
  limit?: number
  /** otlp | output | events */
  source?: string
}

export const urls = {
  traces: (q: TraceQuery) => `/api/traces${qs({ ...q })}`,
  trace: (id: string) => `/api/traces/${encodeURIComponent(id)}`,
  related: (id: string) => `/api/traces/${encodeURIComponent(id)}/related`,
  metricNames: () => `/api/metrics`,
  metric: (name: string, service?: string, last?: string) => `/api/metrics${qs({ name, service, last })}`,
  logs: (q: LogQuery) => `/api/logs${qs({ ...q })}`,
  status: () => `/api/status`,
  env: () => `/api/env`,
  config: () => `/api/config`,
}

export const api = {
  traces: (q: TraceQuery) => get<TraceSummary[]>(urls.traces(q)),
  trace: (id: string) => get<TraceDetail>(urls.trace(id)),
  related: (id: string) => get<RelatedTelemetry>(urls.related(id)),
  metricNames: () => get<MetricInfo[]>(urls.metricNames()),
  metric: (name: string, service?: string, last?: string) => get<MetricSeries[]>(urls.metric(name, service, last)),
  logs: (q: LogQuery) => get<LogRecord[]>(urls.logs(q)),
  status: () => get<StatusResponse>(urls.status()),
  env: () => get<EnvResponse>(urls.env()),
  config: () => get<ConfigResponse>(urls.config()),
  async validateConfig(text: string, signal?: AbortSignal): Promise<ConfigProblem[]> {
    const res = await fetch("/api/config/validate", { method: "POST", body: text, headers: { "content-type": "text/plain" }, signal })
    signedOut(res)
    if (!res.ok) throw new ApiError(res.status, await errorMessage(res))
    return ((await res.json()) as ConfigValidateResponse).problems
  },
  /** Never throws for a refusal: 422 (problems) and 409 (changed on disk) are results the editor shows. */
  /** `base` is the revision the edit started from; force skips validation, never the conflict check. */
  async saveConfig(text: string, opts: { base: string; force?: boolean }): Promise<SaveOutcome> {
    const res = await fetch(`/api/config${qs({ base: opts.base, force: opts.force ? 1 : undefined })}`, { method: "PUT", body: text, headers: { "content-type": "text/plain" } })
    signedOut(res)
    if (res.status === 422) return { kind: "invalid", problems: ((await res.json()) as ConfigRefused).problems }
    if (res.status === 409) return { kind: "conflict", revision: ((await res.json()) as ConfigConflict).revision }
    if (!res.ok) throw new ApiError(res.status, await errorMessage(res))
    const saved = (await res.json()) as ConfigSaveResponse
    cache.delete(urls.config())
    return { kind: "saved", ...saved }
  },
  async action(name: string, action: Action): Promise<ActionResponse> {
    const res = await fetch(`/api/services/${encodeURIComponent(name)}/${action}`, { method: "POST" })
    signedOut(res)
    if (!res.ok) throw new ApiError(res.status, (await res.text()) || res.statusText)
    return (await res.json()) as ActionResponse
  },
}
