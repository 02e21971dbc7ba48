/**
 * The tools of `devrig mcp`: each a JSON schema (TypeBox), annotations, and a handler that
 * reaches the project through the same client paths as the CLI — the REST client of
 * `devrig query` (apiGet/fetchQuery), the control socket of `ps`/`restart`, the log files of
 * `logs`, the loader of `validate`. A handler throws a DevrigError when it cannot answer (not
 * running, bad input); the server turns that into a tool error result.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox"
import { dirname } from "node:path"
import { inspectConfig, loadConfig, type LoadedConfig } from "../config/load.ts"
import { problemJson } from "../config/problems.ts"
import { parseDuration } from "../duration.ts"
import { InputError } from "../errors.ts"
import { readLastGood, readState } from "../project/state.ts"
import { statePaths } from "../project/identity.ts"
import { controlRequest } from "../services/control.ts"
import { readMerged, loggedNames } from "../services/logs.ts"
import { offlineStatus } from "../services/offline-status.ts"
import { liveSupervisor } from "../services/recover.ts"
import type { StatusSnapshot } from "../status.ts"
import { cursorMs } from "./cursors.ts"
import { apiTarget, type ApiTarget } from "./api-client.ts"
import { apiGet, buildPath, fetchQuery, type QueryFlags, type QueryKind } from "./query.ts"
import { readToken } from "../project/token.ts"
import { parsePredicate, waitUntil } from "./wait.ts"
import { checkNames } from "./project-cmd.ts"

export interface ToolContext {
  /** devrig.toml of the project (found once, at start) */
  configPath: string
}

export interface Tool<S extends TSchema = TSchema> {
  name: string
  title: string
  description: string
  input: S
  annotations: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean }
  run(args: Static<S>, ctx: ToolContext): Promise<Record<string, unknown>>
}

const Str = (description: string) => Type.Optional(Type.String({ description }))
const Num = (description: string) => Type.Optional(Type.Integer({ description, minimum: 1 }))
const CURSORS = {
  since: Str("only what is newer than this: a duration (5m) or an ISO 8601 time"),
  since_restart: Str("only what came after this service last (re)started"),
  since_reload: Type.Optional(Type.Boolean({ description: "only what came after devrig.toml was last reloaded" })),
}
const TIME = {
  from: Str("start of the time window (ISO 8601)"),
  to: Str("end of the time window (ISO 8601)"),
  limit: Num("maximum results (default 100)"),
}
const READ = { readOnlyHint: true, openWorldHint: false } as const

/** The project as it is now (a broken edit falls back to the config the running devrig accepted). */
function project(ctx: ToolContext): { loaded: LoadedConfig; running: boolean } {
  let loaded: LoadedConfig
  try {
    loaded = loadConfig({ file: ctx.configPath })
  } catch (e) {
    const root = dirname(ctx.configPath)
    const source = liveSupervisor(root) ? readLastGood(root) : undefined
    const last = source !== undefined ? inspectConfig(ctx.configPath, source) : undefined
    if (!last?.loaded || last.problems.length) throw e
    loaded = last.loaded
  }
  return { loaded, running: !!liveSupervisor(loaded.identity.root) }
}

/** The running devrig's dashboard (URL and token), or an error that says what to do. */
function dashboardTarget(ctx: ToolContext): ApiTarget {
  const { loaded, running } = project(ctx)
  const name = loaded.identity.name
  if (!running) throw new InputError(`${name} is not running, so there is no telemetry to query`, { hint: "start it with `devrig start -d` (the status and validate_config tools work without it)" })
  const d = readState(loaded.identity.root).dashboard
  if (!d) throw new InputError(`${name} runs without the dashboard, so there is no telemetry to query`, { hint: "add a [dashboard] block to devrig.toml" })
  return { url: d.url, token: readToken(loaded.identity.root) }
}

type CursorInput = { since?: string; since_restart?: string; since_reload?: boolean }

/** The change cursors, applied as `devrig query` does: the later of `from` and the cursor. */
function withCursors(ctx: ToolContext, flags: QueryFlags, c: CursorInput): QueryFlags {
  const since = cursorMs(project(ctx).loaded.identity.root, { since: c.since, "since-restart": c.since_restart, "since-reload": c.since_reload })
  if (since !== undefined) {
    const from = flags.from ? Date.parse(flags.from) : NaN
    if (Number.isNaN(from) || from < since) flags.from = new Date(since).toISOString()
  }
  return flags
}

async function query(ctx: ToolContext, kind: QueryKind, flags: QueryFlags, id?: string): Promise<unknown> {
  buildPath(kind, flags, id) // bad input is reported before "not running"
  return fetchQuery(dashboardTarget(ctx), kind, { flags, id })
}

const str = (n: number | undefined) => (n === undefined ? undefined : String(n))

async function action(ctx: ToolContext, verb: "restart" | "stop" | "start", service: string) {
  const { loaded, running } = project(ctx)
  checkNames(loaded, [service])
  if (!running) throw new InputError(`${loaded.identity.name} is not running`, { hint: "start it with `devrig start -d`" })
  await controlRequest(loaded.identity.root, `/${verb}`, { method: "POST", body: { services: [service] }, timeoutMs: 120_000 })
  const status = await controlRequest<StatusSnapshot>(loaded.identity.root, "/status")
  return { ok: true, service, action: verb, component: status?.components.find((c) => c.name === service) }
}

const ServiceArg = Type.Object({ service: Type.String({ description: "a service or container name of this project" }) }, { additionalProperties: false })

function serviceAction(verb: "restart" | "stop" | "start", description: string): Tool<typeof ServiceArg> {
  return {
    name: `${verb}_service`,
    title: `${verb[0]!.toUpperCase()}${verb.slice(1)} a service`,
    description,
    input: ServiceArg,
    // changes the running environment: clients ask before calling
    annotations: { readOnlyHint: false, destructiveHint: verb !== "start", idempotentHint: verb !== "restart", openWorldHint: false },
    run: (a, ctx) => action(ctx, verb, a.service),
  }
}

const tool = <S extends TSchema>(t: Tool<S>): Tool => t as unknown as Tool

export const TOOLS: Tool[] = [
  tool({
    name: "status",
    title: "Project status",
    description: "Components of this devrig project (services, containers, compose, cluster) with state, ports, URLs and restarts; the collector's counters (and forwarding) and the last crash report when it runs. Works when the project is stopped too.",
    input: Type.Object({}, { additionalProperties: false }),
    annotations: READ,
    async run(_a, ctx) {
      const { loaded, running } = project(ctx)
      const root = loaded.identity.root
      const snap = running ? await controlRequest<StatusSnapshot>(root, "/status") : undefined
      const components = snap?.components ?? (await offlineStatus(loaded))
      const dashboard = snap ? apiTarget(root) : undefined
      const collector = dashboard ? ((await apiGet(dashboard, "/api/status", 5000).catch(() => undefined)) as { collector?: unknown } | undefined)?.collector : undefined
      const crashes = components.filter((c) => c.crash).map((c) => c.crash!)
      crashes.sort((a, b) => (a.time < b.time ? 1 : -1))
      return {
        project: { name: loaded.identity.name, slug: loaded.identity.slug, configPath: loaded.identity.configPath },
        running: !!snap,
        ...(dashboard ? { dashboard } : {}),
        components: components.map(({ crash, ...c }) => ({ ...c, ...(crash ? { crashedAt: crash.time } : {}) })),
        ...(collector ? { collector } : {}),
        ...(crashes[0] ? { lastCrash: crashes[0] } : {}),
      }
    },
  }),
  tool({
    name: "list_traces",
    title: "List traces",
    description: "Recent traces, newest first, as `devrig query traces`: each with route, duration, status, bottleneck (span with the largest self time) and first error; with service, that service's own slowest span.",
    input: Type.Object(
      {
        service: Str("only traces with a span of this service"),
        status: Type.Optional(Type.Union([Type.Literal("ok"), Type.Literal("error")])),
        min_duration: Str("only traces at least this long, e.g. 100ms"),
        search: Str("substring of a span name, http.route or url.path"),
        attr: Type.Optional(Type.Array(Type.String(), { description: "span attribute filters: key=value or key~=substring (all must match)" })),
        around: Str("traces overlapping this time ± window"),
        window: Str("half-width of around (default 5s)"),
        ...TIME,
        ...CURSORS,
      },
      { additionalProperties: false },
    ),
    annotations: READ,
    async run(a, ctx) {
      const flags = withCursors(ctx, { service: a.service, status: a.status, minDuration: a.min_duration, search: a.search, attr: a.attr, around: a.around, window: a.window, from: a.from, to: a.to, limit: str(a.limit) }, a)
      return { traces: await query(ctx, "traces", flags) }
    },
  }),
  tool({
    name: "get_trace",
    title: "Get one trace",
    description: "One trace as `devrig query trace <id>`: summary (route, bottleneck, error), resources once, spans in tree order with depth, duration, self time, status and attributes, and the trace's own logs.",
    input: Type.Object({ trace_id: Type.String({ description: "32 hex characters" }) }, { additionalProperties: false }),
    annotations: READ,
    run: async (a, ctx) => (await query(ctx, "trace", {}, a.trace_id)) as Record<string, unknown>,
  }),
  tool({
    name: "related",
    title: "Telemetry related to a trace",
    description: "As `devrig query related <id>`: the trace's own logs first, then at most 10 nearby warn/error logs of its services (marked nearby; all levels with all=true), and its services' metric points in the window.",
    input: Type.Object(
      { trace_id: Type.String({ description: "32 hex characters" }), window: Str("half-width of the window around the trace (default 5s)"), limit: Num("maximum logs (default 500)"), all: Type.Optional(Type.Boolean({ description: "nearby logs of every level" })) },
      { additionalProperties: false },
    ),
    annotations: READ,
    run: async (a, ctx) => (await query(ctx, "related", { window: a.window, limit: str(a.limit), all: a.all ? "1" : undefined }, a.trace_id)) as Record<string, unknown>,
  }),
  tool({
    name: "query_logs",
    title: "Query logs",
    description: "Structured logs, newest first, as `devrig query logs`: OTLP logs from SDKs, the services' stdout/stderr (source=output) and devrig's lifecycle events (source=events).",
    input: Type.Object(
      {
        service: Str("only this service"),
        level: Type.Optional(Type.Array(Type.String(), { description: "trace|debug|info|warn|error|fatal" })),
        search: Str("substring of the body"),
        trace_id: Str("only logs of this trace"),
        source: Type.Optional(Type.Union([Type.Literal("otlp"), Type.Literal("output"), Type.Literal("events")])),
        around: Str("a trace id (its logs + its services' logs in its window) or a time"),
        window: Str("half-width of around (default 5s)"),
        ...TIME,
        ...CURSORS,
      },
      { additionalProperties: false },
    ),
    annotations: READ,
    async run(a, ctx) {
      const flags = withCursors(ctx, { service: a.service, level: a.level, search: a.search, traceId: a.trace_id, source: a.source, around: a.around, window: a.window, from: a.from, to: a.to, limit: str(a.limit) }, a)
      return { logs: await query(ctx, "logs", flags) }
    },
  }),
  tool({
    name: "query_metrics",
    title: "Query metrics",
    description: "Without name: the metric catalog (name, type, unit, services). With name: its series as `devrig query metrics --name`; histograms carry p50/p90/p99 over the window (series.percentiles) and per point.",
    input: Type.Object(
      {
        name: Str("metric name: return its series"),
        service: Str("only this service"),
        search: Str("substring of metric names (catalog)"),
        last: Str("only points from the last duration, e.g. 5m"),
        label: Type.Optional(Type.Array(Type.String(), { description: "attribute filters key=value" })),
        from: TIME.from,
        to: TIME.to,
        ...CURSORS,
      },
      { additionalProperties: false },
    ),
    annotations: READ,
    async run(a, ctx) {
      const flags = withCursors(ctx, { name: a.name, service: a.service, search: a.search, last: a.last, label: a.label, from: a.from, to: a.to }, a)
      const out = await query(ctx, "metrics", flags)
      return a.name ? { series: out } : { metrics: out }
    },
  }),
  tool({
    name: "logs_tail",
    title: "A service's latest output",
    description: "The latest stdout/stderr lines of services and containers (as `devrig logs --tail`), from .devrig/logs: works after the project stopped too.",
    input: Type.Object(
      { service: Str("one component (default: all)"), lines: Type.Optional(Type.Integer({ description: "how many lines (default 50)", minimum: 1, maximum: 5000 })), grep: Str("only lines matching this regular expression") },
      { additionalProperties: false },
    ),
    annotations: READ,
    async run(a, ctx) {
      const { loaded } = project(ctx)
      if (a.service) checkNames(loaded, [a.service])
      let re: RegExp | undefined
      try {
        re = a.grep ? new RegExp(a.grep) : undefined
      } catch (e) {
        throw new InputError(`invalid grep pattern: ${(e as Error).message}`)
      }
      const dir = statePaths(loaded.identity.root).logs
      const lines = readMerged(dir, a.service ? [a.service] : loggedNames(dir)).filter((l) => !re || re.test(l.m))
      return { lines: lines.slice(-(a.lines ?? 50)).map((l) => ({ time: l.t, name: l.n, stream: l.s, line: l.m })) }
    },
  }),
  tool({
    name: "wait_for",
    title: "Wait for readiness or telemetry",
    description:
      "Block until components are ready and/or telemetry matching each predicate arrives, as `devrig wait`: predicates like `trace service=api name=\"GET /users\" status=ok`, `log service=worker search=\"job done\" level=error`, `metric name=http.server.duration service=api`. Only records that arrive after the call (or after since) count. SDKs batch: the Node SDK exports spans every 5 s. Returns ok with what matched, or ok=false with what was still missing.",
    input: Type.Object(
      {
        for: Type.Optional(Type.Array(Type.String(), { description: "telemetry predicates (trace|log|metric key=value …)" })),
        components: Type.Optional(Type.Array(Type.String(), { description: "services or containers that must be ready" })),
        timeout: Str("give up after this long (default 30s, at most 10m)"),
        since: Str("also accept matches that arrived since then: a duration (30s) or an ISO 8601 time"),
      },
      { additionalProperties: false },
    ),
    annotations: READ,
    async run(a, ctx) {
      const { loaded } = project(ctx)
      const names = a.components ?? []
      checkNames(loaded, names)
      const preds = (a.for ?? []).map(parsePredicate)
      if (!names.length && !preds.length) throw new InputError("nothing to wait for: give components and/or for predicates")
      const timeoutMs = Math.min(parseDuration(a.timeout ?? "30s", "timeout"), 600_000)
      const arrivedAfter = a.since ? cursorMs(loaded.identity.root, { since: a.since })! : Date.now()
      const out = await waitUntil(loaded.identity.root, names, preds, { timeoutMs, arrivedAfter })
      // the same shape as `devrig wait --json`
      return out.ok ? { ok: true, matched: out.matched, ready: out.ready } : out.failed ? { ok: false, failed: out.failed } : { ok: false, timedOut: true, stillMissing: out.seen }
    },
  }),
  serviceAction("restart", "Stop and start one service or container of the running project (as `devrig restart`); returns its new status."),
  serviceAction("stop", "Stop one service or container of the running project (as `devrig stop <name>`); the rest keeps running."),
  serviceAction("start", "Start one stopped service or container of the running project, with what it depends on."),
  tool({
    name: "validate_config",
    title: "Validate devrig.toml",
    description: "Check devrig.toml as `devrig validate` does: every problem with its line and column; none means valid. Reads the file as it is on disk now.",
    input: Type.Object({}, { additionalProperties: false }),
    annotations: READ,
    async run(_a, ctx) {
      // the shape of `devrig validate --json` for an invalid file
      const { problems } = inspectConfig(ctx.configPath)
      return { ok: problems.length === 0, file: ctx.configPath, problems: problems.map((p) => problemJson(ctx.configPath, p)) }
    },
  }),
]
