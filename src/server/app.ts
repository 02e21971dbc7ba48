/**
 * The REST API (Elysia). Handlers are thin: parse the query string, call src/query, return
 * JSON. Errors are formatted once, in onError: InputError → 400, unknown path/id → 404,
 * anything else → 500; /api never answers with HTML. Testable with app.handle(new Request(…)).
 * Before any route: the token, Host and Origin rules of security.ts (401/403).
 */
import { Elysia } from "elysia"
import { InputError, isDevrigError } from "../errors.ts"
import type { TelemetryStore } from "../otel/store.ts"
import { queryLogs } from "../query/logs.ts"
import { listMetrics, metricSeries } from "../query/metrics.ts"
import { logQuery, metricListQuery, metricSeriesQuery, relatedQuery, traceQuery } from "../query/params.ts"
import { parseTraceId } from "../query/parse.ts"
import { related } from "../query/related.ts"
import { listTraces, traceDetail } from "../query/traces.ts"
import { ConfigConflictError, configRevision, InvalidConfigError, MAX_CONFIG_BYTES, readConfigText, saveConfigText, validateConfigText } from "../services/config-api.ts"
import type { Action } from "../status.ts"
import type { ActionResponse, ApiError, ConfigConflict, ConfigRefused, ConfigResponse, ConfigSaveResponse, ConfigValidateResponse, StatusResponse } from "./api-types.ts"
import type { Controller, UiHandler } from "./controller.ts"
import { tokenMatches } from "../project/token.ts"
import { authenticated, loopbackHost, refusal, sessionCookie, signInPage, type Guard } from "./security.ts"
import type { WsClient, WsHub } from "./ws-hub.ts"

export class NotFoundError extends Error {}

function apiError(status: number, code: ApiError["error"]["code"], message: string): Response {
  return Response.json({ error: { code, message } } satisfies ApiError, { status })
}

/** The TOML text of a config request body (sent as text/plain, never parsed as a form). */
async function configBody(request: Request): Promise<string> {
  const text = await request.text()
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) throw new InputError(`config text over ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`)
  return text
}

function params(request: Request): URLSearchParams {
  return new URL(request.url).searchParams
}

function traceIdParam(id: string): string {
  try {
    return parseTraceId(id)
  } catch {
    throw new NotFoundError(`no trace ${id} (trace ids are 32 hex characters)`)
  }
}

export interface AppOptions {
  store: TelemetryStore
  controller: Controller
  hub?: WsHub
  ui?: UiHandler
  /** the token and the dashboard's own port (src/server/security.ts) */
  guard: Guard
}

const ACTIONS = new Set<Action>(["start", "stop", "restart"])

export function statusResponse(store: TelemetryStore, controller: Controller): StatusResponse {
  return { ...controller.status(), collector: store.counters() }
}

function html(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-frame-options": "DENY" } })
}

/**
 * The dashboard's pages: `?t=<token>` is exchanged for the session cookie and dropped from the
 * address bar (303 to the same path without it); without the cookie, a page saying how to get in.
 */
function pageGate(request: Request, url: URL, guard: Guard): Response | undefined {
  if (!loopbackHost(request)) return new Response("Host must be localhost, 127.0.0.1 or [::1]\n", { status: 403, headers: { "content-type": "text/plain" } })
  if (guard.token === undefined) return undefined
  const t = url.searchParams.get("t")
  if (t !== null) {
    if (!tokenMatches(guard.token, t)) return html(401, signInPage())
    url.searchParams.delete("t")
    const rest = url.searchParams.toString()
    return new Response(null, {
      status: 303,
      headers: { location: url.pathname + (rest ? `?${rest}` : ""), "set-cookie": sessionCookie(guard, guard.token), "cache-control": "no-store", "referrer-policy": "no-referrer" },
    })
  }
  return authenticated(request, guard) ? undefined : html(401, signInPage())
}

export function createApp({ store, controller, hub, ui, guard }: AppOptions) {
  const clients = new WeakMap<object, WsClient>()
  return new Elysia()
    .onRequest(({ request }) => {
      const url = new URL(request.url)
      const path = url.pathname
      if (path !== "/api" && !path.startsWith("/api/")) return pageGate(request, url, guard)
      const why = refusal(request, guard)
      if (why) return apiError(why.status, why.status === 401 ? "UNAUTHORIZED" : "FORBIDDEN", why.message)
    })
    .onError(({ code, error }) => {
      if (error instanceof InvalidConfigError)
        return Response.json({ error: { code: "INVALID_CONFIG", message: error.message }, problems: error.problems } satisfies ConfigRefused, { status: 422 })
      if (error instanceof ConfigConflictError)
        return Response.json({ error: { code: "CONFLICT", message: error.message }, revision: error.revision } satisfies ConfigConflict, { status: 409 })
      if (error instanceof NotFoundError) return apiError(404, "NOT_FOUND", error.message)
      if (error instanceof InputError) return apiError(400, "BAD_REQUEST", error.message)
      if (isDevrigError(error)) return apiError(500, "INTERNAL", error.message)
      if (code === "NOT_FOUND") return apiError(404, "NOT_FOUND", "unknown endpoint")
      if (code === "PARSE" || code === "VALIDATION") return apiError(400, "BAD_REQUEST", String((error as Error).message))
      return apiError(500, "INTERNAL", (error as Error)?.message ?? String(error))
    })
    .get("/api/traces", ({ request }) => listTraces(store, traceQuery(params(request))))
    .get("/api/traces/:id", ({ params: { id } }) => {
      const t = traceDetail(store, traceIdParam(id))
      if (!t) throw new NotFoundError(`no trace ${id} in the buffer (evicted, or never received)`)
      return t
    })
    .get("/api/traces/:id/related", ({ params: { id }, request }) => {
      const r = related(store, traceIdParam(id), relatedQuery(params(request)))
      if (!r) throw new NotFoundError(`no trace ${id} in the buffer (evicted, or never received)`)
      return r
    })
    .get("/api/metrics", ({ request }) => {
      const p = params(request)
      const name = p.get("name")
      return name ? metricSeries(store, metricSeriesQuery(p, name)) : listMetrics(store, metricListQuery(p))
    })
    .get("/api/logs", ({ request }) => queryLogs(store, logQuery(params(request))))
    .get("/api/status", () => statusResponse(store, controller))
    .get("/api/env", () => controller.env())
    .get("/api/env/:service", ({ params: { service } }) => controller.env(decodeURIComponent(service)))
    .get("/api/config", () => {
      const c = controller.config()
      // The editor needs the file as it is, even when it does not parse (the supervisor then
      // falls back to the source it is running, which the problems' lines do not match).
      const source = readConfigText(c.path) ?? c.source
      return { ...c, source, revision: configRevision(source) } satisfies ConfigResponse
    })
    .post(
      "/api/config/validate",
      async ({ request }) => ({ problems: validateConfigText(controller.config().path, await configBody(request)) }) satisfies ConfigValidateResponse,
      { parse: "none" },
    )
    .put(
      "/api/config",
      async ({ request }) => {
        const p = params(request)
        const force = p.get("force") === "1" || p.get("force") === "true"
        const base = p.get("base")
        if (!base) throw new InputError("base is required: the revision of devrig.toml the edit started from (`revision` in GET /api/config)")
        return saveConfigText(controller.config().path, await configBody(request), { force, base }) satisfies ConfigSaveResponse
      },
      { parse: "none" },
    )
    .post("/api/services/:name/:action", async ({ params: { name, action } }) => {
      if (!ACTIONS.has(action as Action)) throw new NotFoundError(`unknown action ${action}; use start, stop or restart`)
      const service = decodeURIComponent(name)
      await controller.action(service, action as Action)
      return { ok: true, name: service, action: action as Action } satisfies ActionResponse
    }, { parse: "none" })
    .ws("/api/ws", {
      open(ws) {
        if (!hub) return ws.close(1011, "live updates unavailable")
        const raw = ws.raw as unknown as { send(t: string): number; getBufferedAmount(): number; close(c: number, r: string): void }
        const client: WsClient = {
          send: (t) => raw.send(t),
          bufferedAmount: () => raw.getBufferedAmount(),
          close: (c, r) => raw.close(c, r),
        }
        clients.set(ws.raw, client)
        hub.add(client)
        hub.send(client, { type: "hello", status: statusResponse(store, controller) })
      },
      close(ws) {
        const c = clients.get(ws.raw)
        if (c) hub?.remove(c)
      },
      message() {
        // the socket is push-only; client messages are ignored
      },
    })
    .get("/*", async ({ request }) => {
      const path = new URL(request.url).pathname
      if (path === "/api" || path.startsWith("/api/")) return apiError(404, "NOT_FOUND", `unknown endpoint GET ${path}`)
      const res = ui ? await ui(request) : undefined
      return res ?? new Response("not found", { status: 404, headers: { "content-type": "text/plain" } })
    })
}

export type App = ReturnType<typeof createApp>
