/**
 * `devrig wait`: block until components are ready and/or telemetry matching a predicate exists —
 * for scripts, CI and agents. Exit 0 when everything holds, 2 on timeout (with what was seen last),
 * 2 at once when a component it waits for has failed.
 */
import { defineCommand } from "citty"
import { splitArgs } from "../config/shellwords.ts"
import { parseDuration } from "../duration.ts"
import { ExternalError, InputError } from "../errors.ts"
import { apiFetch, apiTarget } from "./api-client.ts"
import { controlRequest } from "../services/control.ts"
import type { StatusSnapshot } from "../status.ts"
import { repeated } from "./query.ts"
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

export default defineCommand({
  meta: { name: "wait", description: "Wait until components are ready and/or telemetry matching --for exists" },
  args: {
    components: { type: "positional", required: false, description: "Services or containers to wait for" },
    for: { type: "string", description: `Telemetry to wait for, e.g. 'trace service=api name="GET /users" status=ok' or 'log service=worker search="job done"' (repeatable)`, valueHint: "predicate" },
    timeout: { type: "string", default: "60s", description: "Give up after this long (exit 2)", valueHint: "duration" },
  },
  async run({ args, rawArgs }) {
    const { loaded } = project()
    const names = args._.map(String)
    checkNames(loaded, names)
    const preds = repeated(rawArgs, "for").map(parsePredicate)
    if (!names.length && !preds.length) throw new InputError("nothing to wait for: name components and/or give --for predicates")
    const timeoutMs = parseDuration(args.timeout)
    const root = loaded.identity.root
    const deadline = Date.now() + timeoutMs
    let seen = "devrig is not running"
    for (;;) {
      const status = await controlRequest<StatusSnapshot>(root, "/status", { timeoutMs: 2000 }).catch(() => undefined)
      const waiting: string[] = []
      if (status) {
        seen = ""
        for (const n of names) {
          const comp = status.components.find((x) => x.name === n)
          if (!comp) waiting.push(`${n} is not part of this run`)
          else if (comp.state === "failed") throw new ExternalError(`${n} failed${comp.error ? `: ${comp.error}` : ""}`)
          else if (comp.state !== "running" && comp.state !== "ready") waiting.push(`${n} is ${comp.state}`)
        }
        const dashboard = apiTarget(root)
        for (const p of preds) {
          if (!dashboard) throw new InputError(`--for needs the dashboard: add [dashboard] to devrig.toml`)
          const res = await apiFetch(dashboard, `${PATHS[p.kind]}?${p.query}`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined)
          const body = res?.ok ? ((await res.json()) as unknown[] | { series?: unknown[] }) : undefined
          const found = Array.isArray(body) ? body.length > 0 : !!body?.series?.length
          if (!found) waiting.push(`no ${p.kind} matching ${p.text.replace(/^\S+\s*/, "") || "anything"} yet`)
        }
        if (!waiting.length) {
          println(`${c.green("✓")} ${[...names.map((n) => `${n} ready`), ...preds.map((p) => `found ${p.text}`)].join("; ")}`)
          return 0
        }
        seen = waiting.join("; ")
      }
      if (Date.now() >= deadline) throw new ExternalError(`timed out after ${args.timeout}: ${seen}`)
      await Bun.sleep(Math.min(250, Math.max(10, deadline - Date.now())))
    }
  },
})
