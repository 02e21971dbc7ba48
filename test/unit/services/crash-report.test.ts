// The crash report: how a service ended, its last lines, its error logs and spans of the minute
// before (from the store), what changed since its last good start (secrets masked), rendered.
import { describe, expect, test } from "bun:test"
import { TelemetryStore } from "../../../src/otel/store.ts"
import { buildCrashReport, renderCrashReport, type CrashReport } from "../../../src/services/crash-report.ts"
import { log, span } from "../otel/fixtures.ts"

const good = { command: "node server.js", env: { PORT: "3000", DB_URL: "postgres://a", TOKEN: "old-secret" } }
const base = { service: "api", exitCode: 1, signal: null, restarts: 0, lines: [], lastGood: good, current: good, secretKeys: ["TOKEN"] }

describe("buildCrashReport", () => {
  test("how it ended and its last 30 lines", () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`)
    const r = buildCrashReport({ ...base, exitCode: 3, restarts: 2, lines })
    expect(r).toMatchObject({ service: "api", exitCode: 3, signal: null, restarts: 2, errorLogs: [], errorSpans: [], changes: [] })
    expect(r.lines).toEqual(lines.slice(10))
    expect(Math.abs(Date.parse(r.time) - Date.now())).toBeLessThan(5000)
  })

  test("what changed since the last good start: command and env, sorted, secrets masked", () => {
    const current = { command: "node server.js --inspect", env: { PORT: "3001", TOKEN: "new-secret", EXTRA: "1" } }
    const r = buildCrashReport({ ...base, current })
    expect(r.changes).toEqual(["DB_URL: postgres://a → (unset)", "EXTRA: (unset) → 1", "PORT: 3000 → 3001", "TOKEN: **** → ****", "command: node server.js → node server.js --inspect"])
    expect(JSON.stringify(r)).not.toContain("secret")
  })

  test("no last good start: no changes to report", () => {
    expect(buildCrashReport({ ...base, lastGood: undefined, current: { command: "x", env: { A: "1" } } }).changes).toEqual([])
  })

  test("error logs and error spans of this service from the minute before, newest first", () => {
    const now = Date.now()
    const store = new TelemetryStore({ traceBuffer: 100, metricBuffer: 100, logBuffer: 100, retentionMs: 3_600_000 })
    store.addLogs([
      log(1, { timeMs: now - 10_000, receivedAt: now, level: "error", body: "db refused" }),
      log(2, { timeMs: now - 5_000, receivedAt: now, level: "error", body: "retry failed" }),
      log(3, { timeMs: now - 4_000, receivedAt: now, level: "info", body: "not an error" }),
      log(4, { timeMs: now - 3_000, receivedAt: now, level: "error", body: "another service", service: "worker" }),
      log(5, { timeMs: now - 120_000, receivedAt: now, level: "error", body: "too old" }),
    ])
    store.addSpans([
      span(1, 1, { startMs: now - 8_000, name: "GET /orders", isError: true, statusCode: 2 }),
      span(2, 2, { startMs: now - 7_000, name: "GET /health" }),
      span(3, 3, { startMs: now - 6_000, name: "publish", isError: true, statusCode: 2, service: "worker" }),
      span(4, 4, { startMs: now - 300_000, name: "GET /old", isError: true, statusCode: 2 }),
    ])
    const r = buildCrashReport({ ...base, store })
    expect(r.errorLogs.map((l) => l.body)).toEqual(["retry failed", "db refused"])
    expect(r.errorSpans).toEqual([{ traceId: "1".padStart(32, "0"), operation: "GET /orders", timestamp: new Date(now - 8_000).toISOString() }])
  })
})

describe("renderCrashReport", () => {
  const report: CrashReport = {
    service: "api",
    time: "2026-01-01T00:00:00.000Z",
    exitCode: 137,
    signal: null,
    restarts: 1,
    lines: ["connecting", "Killed"],
    errorLogs: [{ timestamp: "2026-01-01T00:00:00.000Z", body: "out of memory" }],
    errorSpans: [{ traceId: "ab".repeat(16), operation: "POST /upload", timestamp: "2026-01-01T00:00:00.000Z" }],
    changes: ["MAX_MEM: 512 → 64"],
  }

  test("every section, in order", () => {
    expect(renderCrashReport(report)).toEqual([
      "crash report: api (exit code 137, 1 restart so far)",
      "  last output:",
      "    | connecting",
      "    | Killed",
      "  error logs in the minute before:",
      "    2026-01-01T00:00:00.000Z  out of memory",
      "  error spans in the minute before:",
      `    2026-01-01T00:00:00.000Z  POST /upload  trace ${"ab".repeat(16)}`,
      "  changed since its last good start:",
      "    MAX_MEM: 512 → 64",
    ])
  })

  test("a signal, no lines, nothing changed", () => {
    expect(renderCrashReport({ ...report, signal: "SIGKILL", exitCode: null, restarts: 0, lines: [], errorLogs: [], errorSpans: [], changes: [] })).toEqual([
      "crash report: api (killed by SIGKILL, 0 restarts so far)",
      "  nothing changed in its command or environment since its last good start",
    ])
  })
})
