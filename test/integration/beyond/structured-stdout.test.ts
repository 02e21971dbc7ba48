// Structured stdout: every output line of a service is a log record of that service — JSON and
// logfmt parsed into body, level, attributes and the line's own timestamp, plain lines with an
// inferred level — and a trace id on a line links it to the trace the service exported.
import { expect, setDefaultTimeout, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { LogRecord } from "../../../src/server/api-types.ts"
import { app, rig, started, until, stopLeftovers } from "./helpers.ts"
import { startDetached } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000)
stopLeftovers()

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
const SPAN = "00f067aa0ba902b7"

test("JSON, logfmt and plain lines become records with body, level, attributes and the line's time", async () => {
  // recent times (lines more than a day off are stamped with the arrival time instead)
  const t1 = Date.now() - 60_000
  const t2 = t1 + 1234
  const t3 = new Date(t1 + 2000).toISOString()
  const t4s = Math.floor(t1 / 1000) + 3
  const out = [
    JSON.stringify({ level: "warn", msg: "cache miss", time: t1, key: "user:7", hits: 3, nested: { a: 1 } }),
    JSON.stringify({ level: 50, time: t2, msg: "db down", pid: 1 }),
    `ts=${t3} level=error msg="payment failed" order=42 trace_id=${TRACE} span_id=${SPAN}`,
    "Listening on :8080",
    JSON.stringify({ msg: "epoch seconds", ts: t4s }),
    JSON.stringify({ msg: "bad ids", trace_id: "not-a-trace-id", span_id: "1234" }),
  ]
  const err = ["deprecated flag --foo", "ERROR disk full"]
  const r = await rig("stdout", `[services.api]\ncommand = "cat out.txt; cat err.txt >&2; exec sleep 600"\n`)
  r.p.write("out.txt", out.join("\n") + "\n")
  r.p.write("err.txt", err.join("\n") + "\n")
  await startDetached(r.p)
  r.supervisorPid = r.p.supervisorPid()

  const recs = await until<LogRecord, LogRecord[]>(r, ["logs", "--service", "api"], (l) => (l.length === 8 ? l : undefined), "8 records of api")
  const by = (body: string) => {
    const rec = recs.find((l) => l.body === body)
    expect(rec, `a record with body ${JSON.stringify(body)} in ${JSON.stringify(recs.map((l) => l.body))}`).toBeDefined()
    return rec!
  }
  const json = by("cache miss")
  expect(json).toMatchObject({ service: "api", level: "warn", severityText: "WARN", severityNumber: 13, timestamp: new Date(t1).toISOString(), scope: { name: "devrig.stdout" } })
  expect(json.attributes).toEqual({ key: "user:7", hits: 3, nested: '{"a":1}', "log.source": "stdout", "log.format": "json" })
  expect(json.resource).toEqual({ "service.name": "api" })

  expect(by("db down")).toMatchObject({ level: "error", severityNumber: 17, timestamp: new Date(t2).toISOString(), attributes: { pid: 1, "log.format": "json" } })

  const logfmt = by("payment failed")
  expect(logfmt).toMatchObject({ level: "error", timestamp: t3, traceId: TRACE, spanId: SPAN })
  expect(logfmt.attributes).toEqual({ order: "42", "log.source": "stdout", "log.format": "logfmt" })

  expect(by("Listening on :8080")).toMatchObject({ level: "info", attributes: { "log.source": "stdout", "log.format": "plain" } })
  expect(by("epoch seconds").timestamp).toBe(new Date(t4s * 1000).toISOString())
  const bad = by("bad ids")
  expect(bad.traceId).toBeUndefined()
  expect(bad.spanId).toBeUndefined()

  // stderr: no level word reads as a warning; a level word wins
  expect(by("deprecated flag --foo")).toMatchObject({ level: "warn", attributes: { "log.source": "stderr", "log.format": "plain" } })
  expect(by("ERROR disk full")).toMatchObject({ level: "error", attributes: { "log.source": "stderr" } })

  // the query filters see the parsed fields
  const errors = await r.query(["logs", "--service", "api", "--level", "error"])
  expect(errors.map((l) => l.body).sort()).toEqual(["ERROR disk full", "db down", "payment failed"])
  expect((await r.query(["logs", "--trace-id", TRACE])).map((l) => l.body)).toEqual(["payment failed"])

  // `devrig logs --level` reads the same levels from the raw lines; --output writes a file
  const lv = await r.p.run(["logs", "api", "--level", "error"])
  expect(lv.exitCode, lv.stderr).toBe(0)
  expect(lv.stdout.trim().split("\n").map((l) => l.replace(/^\S+\s+[|!]\s/, ""))).toEqual([out[1]!, out[2]!, err[1]!])
  const file = join(r.p.dir, "warn.log")
  const o = await r.p.run(["logs", "api", "--level", "warn", "--output", file, "--json"])
  expect(o.exitCode, o.stderr).toBe(0)
  expect(o.stdout).toBe("")
  expect(o.stderr).toContain("wrote 5 lines")
  const written = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { name: string; line: string })
  expect(written.map((w) => w.line)).toEqual([out[0]!, out[1]!, out[2]!, ...err])
  await r.finish()
})

test("a JSON line with the trace id of a trace the service exported is linked to it, beside the OTLP record", async () => {
  const r = await started("stdoutlink", `[services.api]\ncommand = ${app("span:GET /users", "log:listed users")}\n`)
  const trace = await until<{ traceId: string }, string>(r, ["traces", "--service", "api"], (t) => t[0]?.traceId, "the trace of api")
  const both = await until<LogRecord, LogRecord[]>(r, ["logs", "--trace-id", trace], (l) => (l.length === 2 ? l : undefined), "the OTLP and the stdout record of the trace")
  const stdout = both.find((l) => l.attributes["log.source"] === "stdout")
  const otlp = both.find((l) => l.attributes["log.source"] === undefined)
  expect(stdout).toMatchObject({ service: "api", body: "handled GET /users", traceId: trace, scope: { name: "devrig.stdout" }, attributes: { "log.format": "json" } })
  expect(otlp).toMatchObject({ service: "api", body: "listed users", traceId: trace, scope: { name: "beyond" } })
  expect(stdout!.spanId).toBe(otlp!.spanId!)
  await r.finish()
})
