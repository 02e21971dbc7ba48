// The collector's memory is bounded in bytes: a flood of 20 MB log bodies against the compiled
// binary leaves the supervisor's RSS under its idle size plus the configured budget, the
// truncation and byte evictions are counted in `devrig query status`, and recent data is still
// there. (Before the budget, every such request kept its 20 MB for the retention hour.)
import { afterAll, describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { create, toBinary } from "@bufbuild/protobuf"
import { ExportLogsServiceRequestSchema } from "../../../src/otel/gen/logs_service_pb.ts"
import { ExportTraceServiceRequestSchema } from "../../../src/otel/gen/trace_service_pb.ts"
import type { CollectorCounters, LogRecord } from "../../../src/server/api-types.ts"
import { assertCleanedUp, freePort, killLeftovers, project, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"

afterAll(killLeftovers)

const BUDGET_MIB = 48
const FLOOD = 60
const BODY_LIMIT = 1024 * 1024
const str = (value: string) => ({ value: { case: "stringValue" as const, value } })

function logRequest(service: string, body: string): Uint8Array {
  return toBinary(
    ExportLogsServiceRequestSchema,
    create(ExportLogsServiceRequestSchema, {
      resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: str(service) }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: BigInt(Date.now()) * 1_000_000n, severityNumber: 9, body: str(body) }] }] }],
    }),
  )
}

function spanRequest(id: number): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n
  return toBinary(
    ExportTraceServiceRequestSchema,
    create(ExportTraceServiceRequestSchema, {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: str("late") }] },
          scopeSpans: [{ spans: [{ traceId: new Uint8Array(16).fill(id), spanId: new Uint8Array(8).fill(0xcd), name: "GET /after-flood", kind: 2, startTimeUnixNano: now - 1_000_000n, endTimeUnixNano: now, attributes: [{ key: "big", value: str("y".repeat(10_000)) }] }] }],
        },
      ],
    }),
  )
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  if (!m) throw new Error(`no VmRSS for ${pid}`)
  return Number(m[1]) / 1024
}

async function post(port: number, signal: "logs" | "traces", body: Uint8Array): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/${signal}`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: body as BodyInit })
  await res.arrayBuffer()
  return res.status
}

describe("telemetry byte budget", () => {
  test("a flood of 20 MB log bodies stays within idle RSS + budget; truncation and evictions are counted; recent data is queryable", async () => {
    const [dash, grpc, http] = [await freePort(), await freePort(), await freePort()]
    const p = project(
      "otel-budget",
      `[dashboard]\nport = ${dash}\n[dashboard.otel]\ngrpc_port = ${grpc}\nhttp_port = ${http}\nmemory_mb = ${BUDGET_MIB}\nlog_body_length_limit = ${BODY_LIMIT}\n`,
    )
    await startDetached(p)
    const pid = p.supervisorPid()!
    try {
      // idle: after one small request of each kind has exercised the receive path
      expect(await post(http, "logs", logRequest("warmup", "hello"))).toBe(200)
      expect(await post(http, "traces", spanRequest(0x11))).toBe(200)
      const idle = rssMiB(pid)

      const flood = logRequest("flood", "x".repeat(20_000_000))
      let peak = 0
      for (let i = 0; i < FLOOD; i++) {
        expect(await post(http, "logs", flood)).toBe(200)
        peak = Math.max(peak, rssMiB(pid))
      }
      expect(await post(http, "logs", logRequest("late", "recent-marker after the flood"))).toBe(200)
      expect(await post(http, "traces", spanRequest(0xab))).toBe(200)

      const bound = idle + BUDGET_MIB
      // transient copies of the last bodies are garbage; wait for the collector to return them
      const settled = await waitFor(() => (rssMiB(pid) <= bound ? rssMiB(pid) : undefined), `supervisor RSS ≤ ${bound.toFixed(1)} MiB`, 20_000, 250).catch(
        (e: Error) => {
          throw new Error(`${e.message}: idle ${idle.toFixed(1)} MiB, now ${rssMiB(pid).toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB`)
        },
      )
      console.log(`idle ${idle.toFixed(1)} MiB, peak during flood ${peak.toFixed(1)} MiB, settled ${settled.toFixed(1)} MiB (bound ${bound.toFixed(1)})`)

      const status = await p.run(["query", "status"])
      expect(status.exitCode, status.stderr).toBe(0)
      const c = (JSON.parse(status.stdout) as { collector: CollectorCounters }).collector
      expect(c.truncatedValues).toBeGreaterThanOrEqual(FLOOD + 2) // the bodies + the spans' 10 kB attributes
      expect(c.memory!.maxBytes).toBe(BUDGET_MIB * 1024 * 1024)
      expect(c.memory!.bytes).toBeLessThanOrEqual(BUDGET_MIB * 1024 * 1024)
      expect(c.memory!.evicted).toBeGreaterThan(0)
      expect(c.logs.received).toBe(FLOOD + 2)
      expect(c.logs.stored).toBeLessThan(BUDGET_MIB)

      const late = await p.run(["query", "logs", "--search", "recent-marker"])
      expect(late.exitCode, late.stderr).toBe(0)
      expect((JSON.parse(late.stdout.trim()) as LogRecord).service).toBe("late")
      const newest = await p.run(["query", "logs", "--service", "flood", "--limit", "1"])
      const body = (JSON.parse(newest.stdout.trim()) as LogRecord).body as string
      expect(body.length).toBe(BODY_LIMIT + 1)
      expect(body.endsWith("x…")).toBe(true)
      const trace = await p.run(["query", "trace", "abababababababababababababababab"])
      expect(trace.exitCode, trace.stderr).toBe(0)
      const attr = JSON.parse(trace.stdout).spans_detail[0].attributes.big as string
      expect(attr).toBe("y".repeat(4096) + "…")
    } finally {
      await stop(p)
      await assertCleanedUp(p, [dash, grpc, http], pid)
    }
  }, 120_000)
})
