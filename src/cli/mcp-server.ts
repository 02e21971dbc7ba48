/**
 * `devrig mcp`: a Model Context Protocol server over stdio (the official SDK's low-level
 * Server; tool schemas are TypeBox, i.e. JSON Schema). stdout carries protocol frames only:
 * the transport gets the real stdout, and everything else that would write there (console.*,
 * process.stdout.write) is sent to stderr before the first frame.
 */
import { Writable } from "node:stream"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { CallToolRequestSchema, ListResourcesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { Value } from "@sinclair/typebox/value"
import { loadProject } from "../config/load.ts"
import { isDevrigError } from "../errors.ts"
import { controlRequest } from "../services/control.ts"
import { liveSupervisor } from "../services/recover.ts"
import type { StatusSnapshot } from "../status.ts"
import { maskedConfig } from "./plan.ts"
import { TOOLS, type ToolContext } from "./mcp-tools.ts"
import { dirname } from "node:path"

/** Takes stdout for the protocol; returns the stream the transport writes frames to. */
function claimStdout(): Writable {
  const real = process.stdout.write.bind(process.stdout) as (chunk: unknown, enc?: unknown, cb?: unknown) => boolean
  const toErr = process.stderr.write.bind(process.stderr) as typeof process.stdout.write
  process.stdout.write = toErr
  for (const k of ["log", "info", "debug", "dir", "table", "trace", "warn"] as const) (console as unknown as Record<string, unknown>)[k] = console.error
  return new Writable({
    write(chunk, enc, cb) {
      real(chunk, enc, cb)
    },
  })
}

function errorText(e: unknown): string {
  if (isDevrigError(e)) return [e.message, ...e.details, ...(e.hint ? [`hint: ${e.hint}`] : [])].join("\n")
  return `unexpected error: ${(e as Error)?.message ?? String(e)}`
}

const RESOURCES = [
  { uri: "devrig://config", name: "config", title: "Resolved configuration", description: "devrig.toml resolved (ports, env, dependencies) as `devrig validate --json`; values from env files masked", mimeType: "application/json" },
  { uri: "devrig://crash-reports", name: "crash-reports", title: "Crash reports", description: "The last crash report of each service of the running project: exit, last output lines, error logs and spans before it, what changed", mimeType: "application/json" },
]

async function readResource(uri: string, ctx: ToolContext): Promise<unknown> {
  if (uri === "devrig://config") {
    const { config } = await loadProject({ file: ctx.configPath })
    return maskedConfig(config, false)
  }
  if (uri === "devrig://crash-reports") {
    const root = dirname(ctx.configPath)
    const snap = liveSupervisor(root) ? await controlRequest<StatusSnapshot>(root, "/status") : undefined
    return { running: !!snap, reports: (snap?.components ?? []).filter((c) => c.crash).map((c) => c.crash) }
  }
  throw new Error(`unknown resource ${uri}`)
}

export async function serveMcp(ctx: ToolContext, version: string): Promise<void> {
  const out = claimStdout()
  const server = new Server(
    { name: "devrig", title: "devrig", version },
    {
      capabilities: { tools: {}, resources: {} },
      instructions:
        "devrig runs this project's local environment (services, containers, an OpenTelemetry collector). Start with `status`; to see why requests are slow or failing, `list_traces` (status=error, or min_duration) then `get_trace` on one id. SDKs batch telemetry (the Node SDK every 5 s): use `wait_for` instead of sleeping.",
    },
  )
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: TOOLS.map((t) => ({ name: t.name, title: t.title, description: t.description, inputSchema: t.input as unknown as { type: "object" }, annotations: { title: t.title, ...t.annotations } })),
  }))
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const t = TOOLS.find((x) => x.name === req.params.name)
    if (!t) return { isError: true, content: [{ type: "text", text: `unknown tool ${req.params.name}` }] }
    const args = req.params.arguments ?? {}
    if (!Value.Check(t.input, args)) {
      const first = [...Value.Errors(t.input, args)][0]
      return { isError: true, content: [{ type: "text", text: `invalid arguments for ${t.name}: ${first ? `${first.path || "/"} ${first.message}` : "see its input schema"}` }] }
    }
    try {
      const result = await t.run(args as never, ctx)
      return { content: [{ type: "text", text: JSON.stringify(result) }], structuredContent: result }
    } catch (e) {
      return { isError: true, content: [{ type: "text", text: errorText(e) }] }
    }
  })
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: RESOURCES }))
  server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
    const data = await readResource(req.params.uri, ctx).catch((e) => {
      throw new Error(errorText(e))
    })
    return { contents: [{ uri: req.params.uri, mimeType: "application/json", text: JSON.stringify(data, null, 2) }] }
  })
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve()
  })
  await server.connect(new StdioServerTransport(process.stdin, out))
  process.stdin.on("end", () => void server.close())
  await closed
}
