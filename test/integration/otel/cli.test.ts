// `devrig query` against a live stack: NDJSON by default, flags validated before any request,
// and a missing devrig is an InputError (exit 1).
import { describe, expect, test } from "bun:test"
import { runCommand } from "citty"
import { buildPath, createQueryCommand, repeated, runQuery } from "../../../src/cli/query.ts"
import { InputError } from "../../../src/errors.ts"
import { log, span } from "../../unit/otel/fixtures.ts"
import { portIsFree, startStack, stopAndCheck } from "./helpers.ts"

const hex = (n: number) => n.toString(16).padStart(32, "0")

describe("devrig query", () => {
  test("prints NDJSON, pretty JSON and tables from the running devrig", async () => {
    const t = await startStack()
    try {
      const now = Date.now()
      t.store.addSpans([span(1, 1, { startMs: now - 1000, dur: 42, name: "POST /users" }), span(2, 2, { startMs: now - 500, dur: 180, isError: true })])
      const ndjson = await runQuery({ url: t.dashboard.url, token: t.token }, "traces", {})
      const lines = ndjson.trimEnd().split("\n").map((l) => JSON.parse(l))
      expect(lines.map((l) => [l.traceId, l.status, l.duration_ms])).toEqual([
        [hex(2), "error", 180],
        [hex(1), "ok", 42],
      ])
      const errors = await runQuery({ url: t.dashboard.url, token: t.token }, "traces", { flags: { status: "error", minDuration: "100ms" } })
      expect(errors.trimEnd().split("\n")).toHaveLength(1)
      const pretty = await runQuery({ url: t.dashboard.url, token: t.token }, "trace", { id: hex(1), format: "json-pretty" })
      expect(JSON.parse(pretty).spans_detail[0].name).toBe("POST /users")
      const table = await runQuery({ url: t.dashboard.url, token: t.token }, "traces", { format: "table" })
      expect(table.split("\n")[0]).toMatch(/^TIMESTAMP\s+TRACE ID\s+SERVICE/)
      const status = JSON.parse(await runQuery({ url: t.dashboard.url, token: t.token }, "status"))
      expect(status.collector.traces.traceCount).toBe(2)

      const missing = await runQuery({ url: t.dashboard.url, token: t.token }, "trace", { id: hex(99) }).catch((e) => e)
      expect(missing).toBeInstanceOf(InputError)
      expect((missing as Error).message).toContain("no trace")

      t.store.addLogs([log(1, { level: "error", timeMs: now, receivedAt: now, body: "boom" }), log(2, { timeMs: now, receivedAt: now })])
      // through citty, with a repeated flag and the discovery hook
      const out: string[] = []
      const write = process.stdout.write
      process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write
      try {
        await runCommand(createQueryCommand(async () => ({ url: t.dashboard.url, token: t.token })), { rawArgs: ["logs", "--level", "warn", "--level", "error"] })
      } finally {
        process.stdout.write = write
      }
      expect(out.join("").trimEnd().split("\n").map((l) => JSON.parse(l).body)).toEqual(["boom"])
    } finally {
      expect(await stopAndCheck(t)).toBe(true)
    }
  })

  test("bad flags fail before any request; no devrig is an InputError", async () => {
    for (const [kind, flags, id] of [
      ["traces", { minDuration: "soon" }, undefined],
      ["traces", { around: "noon" }, undefined],
      ["logs", { level: ["loud"] }, undefined],
      ["logs", { from: "2026-02-21T10:30:10Z", to: "2026-02-21T10:30:00Z" }, undefined],
      ["metrics", { name: "x", last: "5" }, undefined],
      ["trace", {}, "xyz"],
    ] as const) {
      expect(() => buildPath(kind, flags as never, id)).toThrow(InputError)
    }
    expect(buildPath("logs", { service: "api", level: ["warn", "error"] })).toBe("/api/logs?service=api&level=warn&level=error")
    expect(repeated(["--level", "warn", "--level=error", "--service", "x"], "level")).toEqual(["warn", "error"])

    const t = await startStack()
    const url = t.dashboard.url
    await stopAndCheck(t)
    expect(await portIsFree(t.dashboard.port)).toBe(true)
    const err = await runQuery(url, "status").catch((e) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as Error).message).toContain("not reachable")
  })
})
