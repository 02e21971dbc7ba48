/** Typed REST client for /api/*. Every GET goes through a small cache so revisited views render at once. */
import type {
  ActionResponse,
  ConfigResponse,
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
  async action(name: string, action: Action): Promise<ActionResponse> {
    const res = await fetch(`/api/services/${encodeURIComponent(name)}/${action}`, { method: "POST" })
    if (!res.ok) throw new ApiError(res.status, (await res.text()) || res.statusText)
    return (await res.json()) as ActionResponse
  },
}
