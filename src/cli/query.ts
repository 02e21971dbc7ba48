/**
 * `devrig query …`: machine-readable telemetry from the running devrig of this project, over
 * its REST API. Flags are validated here (bad input → exit 1 before any request) and sent
 * under the same names the API parses (src/query/params.ts).
 */
import { defineCommand, type ArgsDef, type CommandDef } from "citty"
import { ExternalError, InputError } from "../errors.ts"
import { render, type OutputFormat } from "../query/format.ts"
import { logQuery, metricSeriesQuery, traceQuery } from "../query/params.ts"
import { parseTraceId } from "../query/parse.ts"
import { apiFetch, type ApiTarget } from "./api-client.ts"
import { CURSOR_ARGS, type CursorArgs } from "./cursors.ts"

export type QueryKind = "traces" | "trace" | "related" | "metrics" | "logs" | "status"

export interface QueryFlags {
  service?: string
  status?: string
  minDuration?: string
  limit?: string
  around?: string
  window?: string
  from?: string
  to?: string
  name?: string
  last?: string
  level?: string[]
  label?: string[]
  search?: string
  traceId?: string
  source?: string
  attr?: string[]
  all?: string
  arrivedAfter?: string
}

/** The API path (with query string) for a query; throws InputError for invalid flags. */
export function buildPath(kind: QueryKind, flags: QueryFlags, id?: string): string {
  const p = new URLSearchParams()
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== "") p.set(k, v)
  }
  for (const [k, v] of Object.entries(flags)) {
    if (Array.isArray(v)) for (const x of v) p.append(k, x)
    else set(k, v as string | undefined)
  }
  switch (kind) {
    case "traces":
      traceQuery(p)
      return `/api/traces?${p}`
    case "logs":
      logQuery(p)
      return `/api/logs?${p}`
    case "metrics":
      if (flags.name) metricSeriesQuery(p, flags.name)
      return `/api/metrics?${p}`
    case "trace":
    case "related": {
      const tid = parseTraceId(id ?? "", "trace id")
      const q = new URLSearchParams()
      if (kind === "related") {
        if (flags.window) q.set("window", flags.window)
        if (flags.limit) q.set("limit", flags.limit)
        if (flags.all) q.set("all", "1")
      }
      const qs = q.toString()
      return `/api/traces/${tid}${kind === "related" ? "/related" : ""}${qs ? `?${qs}` : ""}`
    }
    case "status":
      return "/api/status"
  }
}

/** The formats `devrig query` accepts; tree is for `query trace` (elsewhere it reads as table). */
export const FORMATS = ["json", "json-pretty", "table", "tree"] as const

export function checkFormat(format: string): OutputFormat {
  if (!(FORMATS as readonly string[]).includes(format)) throw new InputError(`invalid --format "${format}"`, { hint: "use json, json-pretty, table or tree" })
  return format as OutputFormat
}

/** Fetch one query from a running devrig and return the rendered output. */
export async function runQuery(target: string | ApiTarget, kind: QueryKind, opts: { flags?: QueryFlags; id?: string; format?: OutputFormat } = {}): Promise<string> {
  const format = checkFormat(opts.format ?? "json")
  return render(await fetchQuery(target, kind, opts), format)
}

/** One query's parsed JSON answer (what `devrig query` renders, and the MCP tools return). */
export async function fetchQuery(target: string | ApiTarget, kind: QueryKind, opts: { flags?: QueryFlags; id?: string } = {}): Promise<unknown> {
  return apiGet(target, buildPath(kind, opts.flags ?? {}, opts.id))
}

/**
 * GET one /api path of a running devrig (with the run's token): the one HTTP client of `query`,
 * `wait` and `mcp`. Unreachable → InputError (not running); 4xx → InputError; 5xx → ExternalError.
 */
export async function apiGet(target: string | ApiTarget, path: string, timeoutMs = 15_000): Promise<unknown> {
  const baseUrl = typeof target === "string" ? target : target.url
  let res: Response
  try {
    res = await apiFetch(target, path, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (e) {
    throw new InputError(`devrig is not reachable at ${baseUrl}`, {
      hint: "is `devrig start` running for this project? (the dashboard may also have stopped)",
      cause: e,
    })
  }
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ExternalError(`unexpected response from ${baseUrl}${path} (HTTP ${res.status})`)
  }
  if (!res.ok) {
    const msg = (body as { error?: { message?: string } })?.error?.message ?? `HTTP ${res.status}`
    if (res.status === 401) throw new ExternalError(`devrig refused the token: ${msg}`, { hint: "the token in .devrig/token belongs to another run; is this the project's devrig?" })
    if (res.status < 500) throw new InputError(msg)
    throw new ExternalError(`devrig answered ${res.status}: ${msg}`)
  }
  return body
}

/** citty keeps only the last value of a repeated flag; collect them all from argv. */
export function repeated(rawArgs: string[], name: string): string[] {
  const out: string[] = []
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i]!
    if (a === `--${name}` && i + 1 < rawArgs.length) out.push(rawArgs[++i]!)
    else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3))
  }
  return out
}

const FORMAT = {
  format: { type: "string", description: "table (default on a terminal), json (NDJSON, default when piped), json-pretty, or tree (query trace)", valueHint: "table|json|json-pretty|tree" },
} as const satisfies ArgsDef

const TIME = {
  from: { type: "string", description: "Start of the time window (ISO 8601)", valueHint: "time" },
  to: { type: "string", description: "End of the time window (ISO 8601)", valueHint: "time" },
  window: { type: "string", description: "Half-width of the --around window (default 5s)", valueHint: "duration" },
  limit: { type: "string", description: "Maximum results (default 100)", valueHint: "n" },
} as const satisfies ArgsDef

type Args = Record<string, string | boolean | string[] | undefined>

function flagsOf(args: Args, rawArgs: string[]): QueryFlags {
  const s = (k: string) => (typeof args[k] === "string" ? (args[k] as string) : undefined)
  return {
    service: s("service"),
    status: s("status"),
    minDuration: s("min-duration"),
    limit: s("limit"),
    around: s("around"),
    window: s("window"),
    from: s("from"),
    to: s("to"),
    name: s("name"),
    last: s("last"),
    level: repeated(rawArgs, "level"),
    label: repeated(rawArgs, "label"),
    search: s("search"),
    traceId: s("trace-id"),
    source: s("source"),
    attr: repeated(rawArgs, "attr"),
    all: args.all === true ? "1" : undefined,
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandDef<any>

/** Turns `--since`, `--since-restart`, `--since-reload` into a start time (ms), if any was given. */
export type CursorResolver = (args: CursorArgs) => number | undefined

function sub(kind: QueryKind, description: string, args: ArgsDef, resolveBaseUrl: () => Promise<string | ApiTarget>, cursor?: CursorResolver): AnyCommand {
  const withCursors = cursor && (kind === "traces" || kind === "logs" || kind === "metrics")
  return defineCommand({
    meta: { name: kind, description },
    args: { ...args, ...(withCursors ? CURSOR_ARGS : {}), ...FORMAT },
    async run({ args, rawArgs }) {
      const a = args as Args
      const flags = flagsOf(a, rawArgs)
      const since = withCursors ? cursor(a as CursorArgs) : undefined
      if (since !== undefined) {
        const from = flags.from ? Date.parse(flags.from) : NaN
        if (Number.isNaN(from) || from < since) flags.from = new Date(since).toISOString()
      }
      // validate before looking for a running devrig: a typo should not read as "not running"
      // (--format included: `--format xml` used to report "not running", found by the CLI fuzz test)
      // A person at a terminal gets a table; a pipe (a script, an agent) gets NDJSON.
      const format = checkFormat(typeof a.format === "string" ? a.format : process.stdout.isTTY ? "table" : "json")
      buildPath(kind, flags, typeof a.id === "string" ? a.id : undefined)
      const base = await resolveBaseUrl()
      process.stdout.write(await runQuery(base, kind, { flags, id: a.id as string | undefined, format }))
    },
  })
}

/** `devrig query`. resolveBaseUrl finds the running devrig's dashboard URL and token (InputError if none). */
export function createQueryCommand(resolveBaseUrl: () => Promise<string | ApiTarget>, cursor?: CursorResolver): AnyCommand {
  const service = { service: { type: "string", description: "Only this service", valueHint: "name" } } as const satisfies ArgsDef
  const id = { id: { type: "positional", required: true, description: "Trace id (32 hex characters)" } } as const satisfies ArgsDef
  return defineCommand({
    meta: { name: "query", description: "Query traces, metrics, logs and status of the running devrig (a table on a terminal, NDJSON when piped)" },
    subCommands: {
      traces: sub("traces", "List recent traces, newest first", {
        ...service,
        status: { type: "string", description: "ok or error", valueHint: "ok|error" },
        "min-duration": { type: "string", description: "Only traces at least this long (e.g. 100ms)", valueHint: "duration" },
        search: { type: "string", description: "Substring of any span name, http.route or url.path", valueHint: "text" },
        attr: { type: "string", description: "Only traces with a span attribute key=value (or key~=substring; repeatable)", valueHint: "key=value" },
        around: { type: "string", description: "Traces overlapping this time ± --window", valueHint: "time" },
        ...TIME,
      }, resolveBaseUrl, cursor),
      trace: sub("trace", "One trace: its spans (self time, status), resources once, and its logs; --format tree for an indented tree", { ...id }, resolveBaseUrl, cursor),
      related: sub("related", "A trace's own logs, then nearby warn/error logs of its services (--all: every level), and its services' metrics", {
        ...id,
        window: TIME.window,
        limit: TIME.limit,
        all: { type: "boolean", description: "Nearby logs of every level, not only warn/error" },
      }, resolveBaseUrl, cursor),
      metrics: sub("metrics", "Metric names, or the series of one metric with --name", {
        ...service,
        name: { type: "string", description: "Metric name: print its series", valueHint: "metric" },
        last: { type: "string", description: "Only points from the last duration (e.g. 5m)", valueHint: "duration" },
        label: { type: "string", description: "Attribute filter key=value (repeatable)", valueHint: "key=value" },
        search: { type: "string", description: "Substring of metric names (listing)", valueHint: "text" },
        from: TIME.from,
        to: TIME.to,
      }, resolveBaseUrl, cursor),
      logs: sub("logs", "Structured logs (OTLP), newest first", {
        ...service,
        level: { type: "string", description: "trace|debug|info|warn|error|fatal (repeatable)", valueHint: "level" },
        search: { type: "string", description: "Substring of the body", valueHint: "text" },
        "trace-id": { type: "string", description: "Only logs of this trace", valueHint: "id" },
        source: { type: "string", description: "otlp (sent by SDKs), output (services' stdout/stderr) or events (devrig's lifecycle events)", valueHint: "otlp|output|events" },
        around: { type: "string", description: "A trace id (its logs + its services' logs in its window) or a time", valueHint: "id|time" },
        ...TIME,
      }, resolveBaseUrl, cursor),
      status: sub("status", "Services, containers, cluster and collector counters", {}, resolveBaseUrl, cursor),
    },
  })
}
