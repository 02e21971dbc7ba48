// Trace summaries through the binary with a real OTel SDK app (HTTP server + client spans, a
// slow downstream span, a failing downstream call): the route shows, --attr finds exactly one
// trace, bottleneck and error name the downstream span, --format tree prints each resource
// once, related lists the trace's own logs first.
import { expect, setDefaultTimeout, test } from "bun:test"
import type { RelatedTelemetry, TraceDetail, TraceSummary } from "../../../src/server/api-types.ts"
import { stopLeftovers } from "../beyond/helpers.ts"
import { startShop } from "./shop.ts"
import { devrigTty } from "../../helpers/cli.ts"

setDefaultTimeout(90_000)
stopLeftovers()

test("trace rows name the route, the bottleneck and the downstream error; tree and related read in one command", async () => {
  const shop = await startShop("summaries")
  const { r } = shop
  expect(await shop.order(41)).toBe(200)
  expect(await shop.order(13)).toBe(502)

  // --attr finds exactly one trace; its row names the route, not just "GET"
  const ok = await shop.traceOf(41)
  const rows = await r.query<TraceSummary>(["traces", "--attr", "url.path=/orders/41"])
  expect(rows).toHaveLength(1)
  expect(ok).toMatchObject({ service: "api", operation: "GET", route: "/orders/:id", status: "ok" })
  expect((await r.query<TraceSummary>(["traces", "--attr", "url.path~=/ORDERS/4"])).map((t) => t.traceId)).toEqual([ok.traceId])
  expect((await r.query<TraceSummary>(["traces", "--search", "/orders/41"])).map((t) => t.traceId)).toEqual([ok.traceId])

  // the bottleneck is the slow downstream span, with its own self time (it has no children)
  const [detail] = await r.query<TraceDetail>(["trace", ok.traceId])
  const lookup = detail!.spans_detail.find((s) => s.name === "pricing.lookup")!
  expect(ok.bottleneck).toMatchObject({ service: "pricing", name: "pricing.lookup", spanId: lookup.spanId })
  expect(ok.bottleneck!.self_ms).toBeGreaterThanOrEqual(150 * 0.95)
  expect(Math.abs(ok.bottleneck!.self_ms - lookup.duration_ms)).toBeLessThanOrEqual(lookup.duration_ms * 0.05)
  // the caller's server span spends almost nothing itself
  const root = detail!.spans_detail[0]!
  expect(root.self_ms).toBeLessThan(root.duration_ms - lookup.duration_ms)

  // the failing order: error is the downstream cause, with its message
  const bad = await shop.traceOf(13)
  expect(bad.status).toBe("error")
  expect(bad.error).toMatchObject({ service: "pricing", name: "GET", message: "no price for order 13" })

  // --service pricing: rows give pricing's own slowest span, not only the caller's root
  const pricingRows = await r.query<TraceSummary>(["traces", "--service", "pricing"])
  expect(pricingRows.find((t) => t.traceId === ok.traceId)!.serviceSpan).toMatchObject({ service: "pricing", name: "GET" })

  // default JSON: resources once, spans refer to them; the trace's own logs included
  expect(detail!.resources.map((x) => x.service).sort()).toEqual(["api", "pricing"])
  expect(detail!.spans_detail.every((s) => !("resource" in s) && detail!.resources[s.resourceIndex] !== undefined)).toBe(true)
  const [badDetail] = await r.query<TraceDetail>(["trace", bad.traceId])
  expect(badDetail!.logs.map((l) => l.body)).toEqual(expect.arrayContaining(["no price for order 13", "order 13 failed: pricing answered 500"]))

  // --format tree: an indented tree, each resource printed once
  const tree = await r.p.run(["query", "trace", bad.traceId, "--format", "tree"])
  expect(tree.exitCode, tree.stderr).toBe(0)
  expect(tree.stdout.match(/service\.version=1\.4\.2/g)).toHaveLength(2)
  expect(tree.stdout).toContain("route=/orders/:id")
  expect(tree.stdout).toMatch(/\n {4}GET {2}api {2}[\d.]+ms {2}self [\d.]+ms {2}ERROR "no price for order 13".*peer=localhost:\d+/)
  expect(tree.stdout).toContain("db=SELECT price FROM prices WHERE id = $1")
  expect(tree.stdout).toContain("no price for order 13")

  // related: the trace's own logs first; neighbours only warn/error, marked nearby
  expect(await shop.order(13)).toBe(502)
  const [rel] = await r.query<RelatedTelemetry>(["related", bad.traceId])
  expect(Object.keys(rel!).indexOf("logs")).toBeLessThan(Object.keys(rel!).indexOf("nearbyLogs"))
  expect(rel!.logs.every((l) => l.traceId === bad.traceId)).toBe(true)
  expect(rel!.logs.length).toBe(2)
  expect(rel!.nearbyLogs.every((l) => l.nearby === true && ["warn", "error", "fatal"].includes(l.level) || l.service === "devrig")).toBe(true)
  expect(rel!.nearbyLogs.some((l) => l.body === "order 41 priced")).toBe(false)
  const [all] = await r.query<RelatedTelemetry>(["related", bad.traceId, "--all", "--window", "1m"])
  expect(all!.nearbyLogs.some((l) => l.body === "order 41 priced")).toBe(true)

  // on a terminal the default is a table naming the route and the bottleneck; piped, NDJSON
  const table = await devrigTty(["query", "traces"], { cwd: r.p.dir, env: r.p.env })
  expect(table.exitCode, table.stdout).toBe(0)
  expect(table.stdout).toContain("ROUTE")
  expect(table.stdout).toContain("/orders/:id")
  expect(table.stdout).toContain("pricing: pricing.lookup (self")
  const piped = await r.p.run(["query", "traces"])
  expect(piped.stdout.trim().split("\n").map((l) => JSON.parse(l).traceId)).toContain(ok.traceId)
  // a trace on a terminal reads as the tree
  expect((await devrigTty(["query", "trace", ok.traceId], { cwd: r.p.dir, env: r.p.env })).stdout).toContain("bottleneck: pricing: pricing.lookup")
  await r.finish([shop.apiPort, shop.pricingPort])
})
