/**
 * `devrig wait`: block until components are ready and/or telemetry matching a predicate exists —
 * for scripts, CI and agents. Exit 0 when everything holds, 2 on timeout (with what was seen last),
 * 2 at once when a component it waits for has failed.
 */
import { defineCommand } from "citty"
import { splitArgs } from "../config/shellwords.ts"
import { parseDuration } from "../duration.ts"
import { ExternalError, InputError } from "../errors.ts"
import { apiTarget } from "./api-client.ts"
import { controlRequest } from "../services/control.ts"
import type { StatusSnapshot } from "../status.ts"
import { apiGet, repeated } from "./query.ts"
import { cursorMs } from "./cursors.ts"
import { c, println } from "./output.ts"
import { checkNames, project } from "./project-cmd.ts"

const KEYS: Record<string, Record<string, string>> = {
  trace: { service: "service", name: "search", status: "status", "min-duration": "minDuration" },
  log: { service: "service", search: "search", level: "level", "trace-id": "traceId" },
  metric: { name: "name", service: "service" },
}
const PATHS: Record<string, string> = { trace: "/api/traces", log: "/api/logs", metric: "/api/metrics" }

export interface Predicate {
  text: string
  kind: "trace" | "log" | "metric"
  query: URLSearchParams
}

export function parsePredicate(text: string): Predicate {
  let tokens: string[]
  try {
    tokens = splitArgs(text)
  } catch (e) {
    throw new InputError(`--for ${JSON.stringify(text)}: ${(e as Error).message}`)
  }
  const kind = tokens.shift()?.replace(/s$/, "")
  if (kind !== "trace" && kind !== "log" && kind !== "metric") throw new InputError(`--for ${JSON.stringify(text)}: start with trace, log or metric`)
  const query = new URLSearchParams({ limit: "1" })
  for (const t of tokens) {
    const eq = t.indexOf("=")
    const key = eq > 0 ? t.slice(0, eq) : ""
    const param = KEYS[kind]![key]
    if (!param) throw new InputError(`--for ${JSON.stringify(text)}: unknown key \`${key || t}\` for ${kind} (use ${Object.keys(KEYS[kind]!).join(", ")})`)
    query.append(param, t.slice(eq + 1))
  }
  if (kind === "metric" && !query.has("name")) throw new InputError(`--for ${JSON.stringify(text)}: a metric predicate needs name=…`)
  return { text, kind, query }
}

export interface WaitOutcome {
  ok: boolean
  /** each predicate's first matching record (a trace summary, a log record, a metric series) */
  matched: { predicate: string; record: unknown }[]
  ready: string[]
  /** what was still missing at the end ("devrig is not running", "no trace matching … yet") */
  seen: string
  /** a component it waited for failed: the wait ends at once */
  failed?: string
}

/**
 * Polls until every component is ready and every predicate matches a record that *arrived*
 * at or after `arrivedAfter` (so an old record never satisfies a wait), or until the timeout.
 * Shared by `devrig wait` and the MCP tool wait_for.
 */
export async function waitUntil(root: string, names: string[], preds: Predicate[], opts: { timeoutMs: number; arrivedAfter: number }): Promise<WaitOutcome> {
  const deadline = Date.now() + opts.timeoutMs
  let seen = "devrig is not running"
  for (;;) {
    const status = await controlRequest<StatusSnapshot>(root, "/status", { timeoutMs: 2000 }).catch(() => undefined)
    const waiting: string[] = []
    const matched: WaitOutcome["matched"] = []
    if (status) {
      seen = ""
      for (const n of names) {
        const comp = status.components.find((x) => x.name === n)
        if (!comp) waiting.push(`${n} is not part of this run`)
        else if (comp.state === "failed") return { ok: false, matched, ready: [], seen, failed: `${n} failed${comp.error ? `: ${comp.error}` : ""}` }
        else if (comp.state !== "running" && comp.state !== "ready") waiting.push(`${n} is ${comp.state}`)
      }
      const dashboard = apiTarget(root)
      for (const p of preds) {
        if (!dashboard) throw new InputError(`--for needs the dashboard: add [dashboard] to devrig.toml`)
        const q = new URLSearchParams(p.query)
        q.set("arrivedAfter", String(Math.floor(opts.arrivedAfter)))
        const body = (await apiGet(dashboard, `${PATHS[p.kind]}?${q}`, 2000).catch(() => undefined)) as unknown[] | undefined
        const first = Array.isArray(body) ? body[0] : undefined
        if (first === undefined) waiting.push(`no ${p.kind} matching ${p.text.replace(/^\S+\s*/, "") || "anything"} yet`)
        else matched.push({ predicate: p.text, record: first })
      }
      if (!waiting.length) return { ok: true, matched, ready: names, seen: "" }
      seen = waiting.join("; ")
    }
    if (Date.now() >= deadline) return { ok: false, matched, ready: [], seen }
    await Bun.sleep(Math.min(250, Math.max(10, deadline - Date.now())))
  }
}

export default defineCommand({
  meta: {
    name: "wait",
    description: "Wait until components are ready and/or telemetry matching --for arrives (only what arrives after wait is called, or after --since)",
  },
  args: {
    components: { type: "positional", required: false, description: "Services or containers to wait for" },
    for: {
      type: "string",
      description: `Telemetry to wait for, e.g. 'trace service=api name="GET /users" status=ok' or 'log service=worker search="job done"' (repeatable). Only records that arrive after wait is called (or after --since) count: an old one never ends the wait`,
      valueHint: "predicate",
    },
    since: { type: "string", description: "Also accept --for matches that arrived since then: a duration (30s) or an ISO 8601 time", valueHint: "duration|time" },
    timeout: { type: "string", default: "60s", description: "Give up after this long (exit 2)", valueHint: "duration" },
    json: { type: "boolean", description: "Print the outcome as one JSON line: ok, matched records (or what was still missing)" },
  },
  async run({ args, rawArgs }) {
    const { loaded } = project()
    const names = args._.map(String)
    checkNames(loaded, names)
    const preds = repeated(rawArgs, "for").map(parsePredicate)
    if (!names.length && !preds.length) throw new InputError("nothing to wait for: name components and/or give --for predicates")
    const timeoutMs = parseDuration(args.timeout)
    const arrivedAfter = args.since ? cursorMs(loaded.identity.root, { since: args.since })! : Date.now()
    const out = await waitUntil(loaded.identity.root, names, preds, { timeoutMs, arrivedAfter })
    if (args.json) println(JSON.stringify(out.ok ? { ok: true, matched: out.matched, ready: out.ready } : out.failed ? { ok: false, failed: out.failed } : { ok: false, timedOut: true, stillMissing: out.seen }))
    if (out.failed) throw new ExternalError(out.failed)
    if (!out.ok) throw new ExternalError(`timed out after ${args.timeout}: ${out.seen}`)
    if (!args.json) println(`${c.green("✓")} ${[...names.map((n) => `${n} ready`), ...preds.map((p) => `found ${p.text}`)].join("; ")}`)
    return 0
  },
})
