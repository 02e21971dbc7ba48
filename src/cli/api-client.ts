/**
 * How the CLI reaches the running dashboard's REST API: its URL from the state file and the
 * per-run token from .devrig/token, sent as `Authorization: Bearer` on every request.
 */
import { readState } from "../project/state.ts"
import { readToken } from "../project/token.ts"

export interface ApiTarget {
  url: string
  /** undefined when the dashboard runs with `auth = false` */
  token?: string
}

/** The running dashboard of the project at root, or undefined without one. */
export function apiTarget(root: string): ApiTarget | undefined {
  const dashboard = readState(root).dashboard
  if (!dashboard) return undefined
  return { url: dashboard.url, token: readToken(root) }
}

export function apiFetch(target: ApiTarget | string, path: string, init: RequestInit = {}): Promise<Response> {
  const t = typeof target === "string" ? { url: target } : target
  const headers = new Headers(init.headers)
  if (t.token) headers.set("authorization", `Bearer ${t.token}`)
  return fetch(new URL(path, t.url), { ...init, headers })
}
