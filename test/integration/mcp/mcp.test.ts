// `devrig mcp` driven by the official SDK's own client over stdio, against a running project
// with a real OTel SDK app: every tool is listed and called, results match `devrig query`,
// wait_for succeeds and times out, restart_service restarts, and stdout carries nothing but
// protocol frames. Also: the server without a running project, and `mcp install`.
import { expect, setDefaultTimeout, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { tmpdir } from "node:os"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { BIN, project as bareProject, waitFor } from "../../helpers/proc-fixtures.ts"
import type { LogRecord, MetricSeries, RelatedTelemetry, TraceDetail, TraceSummary } from "../../../src/server/api-types.ts"
import { stopLeftovers } from "../beyond/helpers.ts"
import { startShop } from "./shop.ts"

setDefaultTimeout(120_000)
stopLeftovers()

type Result = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: Record<string, unknown> }

async function connect(cwd: string, env: Record<string, string>, args = ["mcp"]) {
  const errors: Error[] = []
  const transport = new StdioClientTransport({ command: BIN, args, cwd, env, stderr: "pipe" })
  const client = new Client({ name: "devrig-test", version: "1.0.0" })
  client.onerror = (e) => errors.push(e)
  await client.connect(transport)
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as Result
  const ok = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}) => {
    const r = await call(name, args)
    if (r.isError) throw new Error(`${name} failed: ${r.content[0]?.text}`)
    return r.structuredContent as T
  }
  return { client, call, ok, errors }
}

const TOOLS = ["status", "list_traces", "get_trace", "related", "query_logs", "query_metrics", "logs_tail", "wait_for", "restart_service", "stop_service", "start_service", "validate_config"]

test("every tool answers like the CLI against a running instrumented project", async () => {
  const shop = await startShop("mcptools")
  const { r } = shop
  const { client, call, ok, errors } = await connect(r.p.dir, { ...(process.env as Record<string, string>), ...r.p.env })

  const { tools } = await client.listTools()
  expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort())
  for (const t of tools) expect(t.inputSchema.type).toBe("object")
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]))
  expect(byName.restart_service!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
  expect(byName.stop_service!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
  expect(byName.start_service!.annotations).toMatchObject({ readOnlyHint: false })
  expect(byName.list_traces!.annotations).toMatchObject({ readOnlyHint: true })

  // wait_for: started before the request, it returns the trace that arrives
  const waiting = ok<{ ok: boolean; matched: { record: TraceSummary }[] }>("wait_for", { for: ["trace service=api status=error"], timeout: "30s" })
  expect(await shop.order(41)).toBe(200)
  expect(await shop.order(13)).toBe(502)
  const waited = await waiting
  expect(waited.ok).toBe(true)
  const bad = await shop.traceOf(13)
  const good = await shop.traceOf(41)
  expect(waited.matched[0]!.record.traceId).toBe(bad.traceId)
  // ...and times out on what never comes, saying what it still misses
  const t0 = Date.now()
  const late = await ok<{ ok: boolean; timedOut: boolean; stillMissing: string }>("wait_for", { for: ['trace service=api name="never"'], timeout: "1s" })
  expect(late).toMatchObject({ ok: false, timedOut: true })
  expect(late.stillMissing).toContain('no trace matching service=api name="never" yet')
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1000)
  const cliLate = await r.p.run(["wait", "--json", "--for", 'trace service=api name="never"', "--timeout", "1s"])
  expect(cliLate.exitCode).toBe(2)
  expect(JSON.parse(cliLate.stdout)).toEqual(late)

  // status
  const status = await ok<{ running: boolean; components: { name: string; state: string; port?: number }[]; collector: { traces: { received: number } } }>("status")
  expect(status.running).toBe(true)
  expect(status.components.map((c) => [c.name, c.state, c.port]).sort()).toEqual([["api", "running", shop.apiPort], ["pricing", "running", shop.pricingPort]])
  expect(status.collector.traces.received).toBeGreaterThan(0)

  // the query tools return what `devrig query` prints
  await waitFor(async () => (await r.query<MetricSeries>(["metrics", "--name", "http.server.request.duration"])).some((s) => (s.percentiles?.count ?? 0) >= 2), "the request histogram", 20_000, 200)
  const cli = {
    traces: await r.query<TraceSummary>(["traces", "--service", "pricing"]),
    trace: (await r.query<TraceDetail>(["trace", bad.traceId]))[0],
    related: (await r.query<RelatedTelemetry>(["related", bad.traceId]))[0],
    logs: await r.query<LogRecord>(["logs", "--service", "api", "--source", "otlp"]),
    series: await r.query<MetricSeries>(["metrics", "--name", "http.server.request.duration", "--service", "api"]),
  }
  expect((await ok<{ traces: TraceSummary[] }>("list_traces", { service: "pricing" })).traces).toEqual(cli.traces)
  expect(await ok("get_trace", { trace_id: bad.traceId })).toEqual(cli.trace as never)
  // (metric points keep arriving every 500 ms: compare the trace and its logs)
  const { metrics: _m, ...related } = await ok<RelatedTelemetry>("related", { trace_id: bad.traceId })
  const { metrics: _c, ...cliRelated } = cli.related!
  expect(related).toEqual(cliRelated)
  expect((await ok<{ logs: LogRecord[] }>("query_logs", { service: "api", source: "otlp" })).logs).toEqual(cli.logs)
  const series = (await ok<{ series: MetricSeries[] }>("query_metrics", { name: "http.server.request.duration", service: "api" })).series
  expect(series.map((s) => s.percentiles?.count)).toEqual(cli.series.map((s) => s.percentiles?.count))
  // p50/p90/p99 computed for the agent: the slow order and the failing one both took ≥ 150 ms
  expect(series[0]!.percentiles!.p50).toBeGreaterThanOrEqual(100)
  expect(series[0]!.percentiles!.p99).toBeGreaterThanOrEqual(series[0]!.percentiles!.p50)
  const histTable = await r.p.run(["query", "metrics", "--name", "http.server.request.duration", "--service", "api", "--format", "table"])
  expect(histTable.stdout).toMatch(/P50\s+P90\s+P99/)
  const catalog = (await ok<{ metrics: { name: string }[] }>("query_metrics", {})).metrics
  expect(catalog.map((m) => m.name)).toContain("http.server.request.duration")
  // same summaries as the CLI: route, bottleneck, error
  expect(cli.traces.find((t) => t.traceId === good.traceId)!.serviceSpan).toMatchObject({ service: "pricing" })
  expect((cli.trace as TraceDetail).error).toMatchObject({ message: "no price for order 13" })
  // filters and cursors: since_restart of a service that has started; a bad filter is a tool error
  const since = await ok<{ traces: TraceSummary[] }>("list_traces", { attr: ["url.path=/orders/41"], since_restart: "api" })
  expect(since.traces.map((t) => t.traceId)).toEqual([good.traceId])
  const badArg = await call("list_traces", { attr: ["nokey"] })
  expect(badArg.isError).toBe(true)
  expect(badArg.content[0]!.text).toContain("invalid attribute filter")
  const badType = await call("list_traces", { limit: "ten" })
  expect(badType.isError).toBe(true)

  // logs_tail
  const tail = await ok<{ lines: { name: string; line: string }[] }>("logs_tail", { service: "api", lines: 5 })
  expect(tail.lines.some((l) => l.name === "api" && l.line.includes(`api listening on ${shop.apiPort}`))).toBe(true)

  // restart_service restarts the service (a new pid, one more restart... and the port answers again)
  const before = (await r.p.ps()).components.find((c) => c.name === "pricing")!
  const restarted = await ok<{ ok: boolean; component: { pid: number; state: string } }>("restart_service", { service: "pricing" })
  expect(restarted.ok).toBe(true)
  expect(restarted.component.pid).not.toBe(before.pid)
  expect((await r.p.ps()).components.find((c) => c.name === "pricing")!.pid).toBe(restarted.component.pid)
  // (api's first call may still go to its pooled connection to the old pricing process)
  await waitFor(async () => (await shop.order(42)) === 200, "orders priced by the new pricing process", 10_000, 100)

  // stop_service / start_service
  const stopped = await ok<{ component: { state: string } }>("stop_service", { service: "api" })
  expect(stopped.component.state).toBe("stopped")
  await expect(shop.order(1)).rejects.toThrow()
  const back = await ok<{ component: { state: string } }>("start_service", { service: "api" })
  expect(back.component.state).toBe("running")
  expect(await shop.order(43)).toBe(200)
  const unknown = await call("restart_service", { service: "nope" })
  expect(unknown.isError).toBe(true)
  expect(unknown.content[0]!.text).toContain("unknown component `nope`")

  // validate_config: problems with line and column (the file as it is on disk)
  expect(await ok("validate_config")).toMatchObject({ ok: true, problems: [] })
  const configPath = join(r.p.dir, "devrig.toml")
  const good_toml = readFileSync(configPath, "utf8")
  writeFileSync(configPath, good_toml + "\n[services.broken]\ncomand = \"x\"\n")
  const invalid = await ok<{ ok: boolean; problems: { line: number; col: number; message: string }[] }>("validate_config")
  const cliInvalid = await r.p.run(["validate", "--json"])
  writeFileSync(configPath, good_toml)
  expect(cliInvalid.exitCode).toBe(1)
  expect(JSON.parse(cliInvalid.stdout)).toEqual(invalid)
  expect(invalid.ok).toBe(false)
  expect(invalid.problems[0]!.line).toBe(good_toml.split("\n").length + 1)
  expect(invalid.problems[0]!.col).toBeGreaterThan(0)

  // resources: the resolved config and the crash reports
  const { resources } = await client.listResources()
  expect(resources.map((x) => x.uri).sort()).toEqual(["devrig://config", "devrig://crash-reports"])
  const config = JSON.parse(((await client.readResource({ uri: "devrig://config" })).contents[0] as { text: string }).text)
  expect(Object.keys(config.services).sort()).toEqual(["api", "pricing"])
  const crashes = JSON.parse(((await client.readResource({ uri: "devrig://crash-reports" })).contents[0] as { text: string }).text)
  expect(crashes).toEqual({ running: true, reports: [] })

  expect(errors).toEqual([]) // no frame the client could not parse
  await client.close()
  await r.finish([shop.apiPort, shop.pricingPort])
})

test("without a running project: status and validate_config answer, telemetry tools say it is not running", async () => {
  const p = bareProject("mcpidle", `[dashboard]\n\n[services.api]\ncommand = "sleep 600"\n`)
  // started elsewhere, with -f naming the project's config
  const { client, call, ok, errors } = await connect(tmpdir(), { ...(process.env as Record<string, string>), ...p.env }, ["-f", join(p.dir, "devrig.toml"), "mcp"])
  const status = await ok<{ running: boolean; components: { name: string; state: string }[] }>("status")
  expect(status).toMatchObject({ running: false, components: [{ name: "api", state: "stopped" }] })
  expect(await ok("validate_config")).toMatchObject({ ok: true, problems: [] })
  for (const [name, args] of [["list_traces", {}], ["query_logs", {}], ["get_trace", { trace_id: "0".repeat(32) }]] as const) {
    const r = await call(name, args)
    expect(r.isError).toBe(true)
    expect(r.content[0]!.text).toContain("mcpidle is not running")
  }
  const restart = await call("restart_service", { service: "api" })
  expect(restart.isError).toBe(true)
  expect(restart.content[0]!.text).toContain("is not running")
  expect((await ok<{ ok: boolean; stillMissing: string }>("wait_for", { components: ["api"], timeout: "300ms" })).stillMissing).toBe("devrig is not running")
  expect(errors).toEqual([])
  await client.close()
})

test("stdout carries only protocol frames, even when tools fail or the config is broken", async () => {
  const p = bareProject("mcpframes", `[services.api]\ncommand = "sleep 600"\n`)
  writeFileSync(join(p.dir, "devrig.toml"), readFileSync(join(p.dir, "devrig.toml"), "utf8") + "\n[services.bad\n")
  const proc = Bun.spawn([BIN, "--verbose", "mcp"], { cwd: p.dir, env: { ...process.env, ...p.env }, stdin: "pipe", stdout: "pipe", stderr: "pipe" })
  const send = (id: number, method: string, params: unknown) => proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n")
  send(1, "initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } })
  proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n")
  const calls: [string, unknown][] = [
    ["status", {}],
    ["validate_config", {}],
    ["list_traces", {}],
    ["logs_tail", { service: "api" }],
    ["wait_for", { for: ["log search=x"], timeout: "200ms" }],
    ["restart_service", { service: "api" }],
    ["nonexistent", {}],
  ]
  calls.forEach(([name, args], i) => send(i + 2, "tools/call", { name, arguments: args }))
  send(100, "resources/read", { uri: "devrig://config" })
  send(101, "tools/list", {})
  // read frames until every request is answered
  const frames: { id?: number; result?: { isError?: boolean; structuredContent?: { ok?: boolean; problems?: unknown[] } } }[] = []
  const reader = proc.stdout.getReader()
  let buf = ""
  const want = calls.length + 3
  const deadline = Date.now() + 30_000
  while (frames.filter((f) => f.id !== undefined).length < want && Date.now() < deadline) {
    const { value, done } = await reader.read()
    if (done) break
    buf += new TextDecoder().decode(value)
    let nl: number
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      const frame = JSON.parse(line) // a stray line fails here
      expect(frame.jsonrpc).toBe("2.0")
      frames.push(frame)
    }
  }
  proc.stdin.end()
  expect(await proc.exited).toBe(0)
  expect(buf).toBe("")
  expect(frames.filter((f) => f.id !== undefined)).toHaveLength(want)
  const validate = frames.find((f) => f.id === 3)!
  expect(validate.result!.structuredContent!.ok).toBe(false)
  expect(validate.result!.structuredContent!.problems!.length).toBeGreaterThan(0)
  expect(frames.find((f) => f.id === 4)!.result!.isError).toBe(true) // list_traces: config broken, not running
})

test("mcp install writes the Claude Code config, keeping other servers; --global writes ~/.claude.json", async () => {
  const p = bareProject("mcpinstall", `[services.api]\ncommand = "sleep 600"\n`)
  writeFileSync(join(p.dir, ".mcp.json"), JSON.stringify({ mcpServers: { other: { command: "x" } } }))
  const first = await p.run(["mcp", "install"])
  expect(first.exitCode, first.stderr).toBe(0)
  expect(first.stdout).toContain(".mcp.json (updated)")
  expect(JSON.parse(readFileSync(join(p.dir, ".mcp.json"), "utf8"))).toEqual({ mcpServers: { other: { command: "x" }, devrig: { type: "stdio", command: "devrig", args: ["mcp"] } } })
  expect((await p.run(["mcp", "install"])).stdout).toContain("already registered")
  const global = await p.run(["mcp", "install", "--global"])
  expect(global.exitCode, global.stderr).toBe(0)
  const home = process.env.HOME!
  expect(JSON.parse(readFileSync(join(home, ".claude.json"), "utf8")).mcpServers.devrig).toEqual({ type: "stdio", command: "devrig", args: ["mcp"] })
  writeFileSync(join(p.dir, ".mcp.json"), "{not json")
  const broken = await p.run(["mcp", "install"])
  expect(broken.exitCode).toBe(1)
  expect(broken.stderr).toContain("cannot add devrig to")
})
