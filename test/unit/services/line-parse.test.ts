// A service's output line → body, level, time, trace/span ids and attributes.
import { describe, expect, test } from "bun:test"
import { levelFromText, parseLine, parseLogfmt } from "../../../src/services/line-parse.ts"

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
const SPAN = "00f067aa0ba902b7"
const MS = 1_718_000_000_123 // 2024-06-10T06:13:20.123Z

describe("JSON lines", () => {
  test("message, level, time, ids and the other fields as attributes", () => {
    const p = parseLine(JSON.stringify({ level: "warn", msg: "cache miss", time: new Date(MS).toISOString(), trace_id: TRACE, span_id: SPAN, key: "u:7", hits: 3, ok: true, nested: { a: [1] } }), "out")
    expect(p).toEqual({ body: "cache miss", level: "warn", timeMs: MS, traceId: TRACE, spanId: SPAN, attributes: { key: "u:7", hits: 3, ok: true, nested: '{"a":[1]}' }, format: "json" })
  })

  test("the common spellings of message, level, time and ids", () => {
    expect(parseLine(JSON.stringify({ message: "m", severity: "WARNING", timestamp: MS }), "out")).toMatchObject({ body: "m", level: "warn", timeMs: MS })
    expect(parseLine(JSON.stringify({ body: "b", lvl: "dbg", ts: MS }), "out")).toMatchObject({ body: "b", level: "debug", timeMs: MS })
    expect(parseLine(JSON.stringify({ event: "e", "log.level": "error", "@timestamp": new Date(MS).toISOString() }), "out")).toMatchObject({ body: "e", level: "error", timeMs: MS })
    expect(parseLine(JSON.stringify({ msg: "x", levelname: "CRITICAL", traceId: TRACE.toUpperCase(), spanId: SPAN.toUpperCase() }), "out")).toMatchObject({ level: "fatal", traceId: TRACE, spanId: SPAN })
    expect(parseLine(JSON.stringify({ msg: "x", otelTraceID: TRACE, otelSpanID: SPAN }), "out")).toMatchObject({ traceId: TRACE, spanId: SPAN })
  })

  test("pino/bunyan numeric levels", () => {
    const level = (n: number) => parseLine(JSON.stringify({ level: n, msg: "x" }), "out").level
    expect([10, 20, 30, 40, 50, 60].map(level)).toEqual(["trace", "debug", "info", "warn", "error", "fatal"])
    expect(level(35)).toBe("info")
  })

  test("epoch seconds, milliseconds and nanoseconds, as numbers or numeric strings", () => {
    const at = (time: unknown) => parseLine(JSON.stringify({ msg: "x", time }), "out").timeMs
    expect(at(MS / 1000)).toBe(MS)
    expect(at(Math.floor(MS / 1000))).toBe(Math.floor(MS / 1000) * 1000)
    expect(at(MS)).toBe(MS)
    expect(at(MS * 1e6)).toBe(MS)
    expect(at(String(MS))).toBe(MS)
    expect(at(`${MS}000000`)).toBe(MS)
    // not a time: small numbers, negative numbers, unparseable strings
    expect(at(42)).toBeUndefined()
    expect(at(-5)).toBeUndefined()
    expect(at("yesterday")).toBeUndefined()
  })

  test("invalid trace and span ids are dropped, the line is kept", () => {
    for (const [traceId, spanId] of [
      ["not-a-trace-id", "1234"],
      [TRACE.slice(1), SPAN + "0"],
      ["0".repeat(32), "0".repeat(16)],
      [123, 456],
    ]) {
      const p = parseLine(JSON.stringify({ msg: "x", trace_id: traceId, span_id: spanId }), "out")
      expect(p.traceId).toBeUndefined()
      expect(p.spanId).toBeUndefined()
      expect(p.body).toBe("x")
    }
  })

  test("without a message the raw line is the body; without a level, the message's words decide", () => {
    const raw = JSON.stringify({ user: 1 })
    expect(parseLine(raw, "out")).toMatchObject({ body: raw, level: "info", attributes: { user: 1 }, format: "json" })
    expect(parseLine(JSON.stringify({ msg: "ERROR: boom" }), "out").level).toBe("error")
    expect(parseLine(JSON.stringify({ msg: "hello" }), "err").level).toBe("warn")
  })

  test("arrays and broken JSON are plain lines", () => {
    expect(parseLine("[1,2,3]", "out")).toMatchObject({ body: "[1,2,3]", format: "plain" })
    expect(parseLine('{"msg": "unterminated', "out")).toMatchObject({ format: "plain" })
  })
})

describe("logfmt lines", () => {
  test("pairs, quoted values, level, epoch or ISO time, ids", () => {
    const line = `ts=${new Date(MS).toISOString()} level=error msg="payment \\"declined\\"" order=42 trace_id=${TRACE} span_id=${SPAN} path=/pay`
    expect(parseLine(line, "out")).toEqual({ body: 'payment "declined"', level: "error", timeMs: MS, traceId: TRACE, spanId: SPAN, attributes: { order: "42", path: "/pay" }, format: "logfmt" })
    expect(parseLine(`ts=${MS / 1000} lvl=info msg=ok`, "out")).toMatchObject({ timeMs: MS, level: "info", body: "ok" })
    expect(parseLine(`level=50 msg=x a=1`, "out").level).toBe("error")
  })

  test("a line needs mostly pairs, and msg/message/level to be logfmt", () => {
    expect(parseLogfmt("a=1 b=2")).toEqual({ a: "1", b: "2" })
    expect(parseLogfmt("the answer a=b is in the docs")).toBeUndefined()
    expect(parseLogfmt("single=pair")).toBeUndefined()
    expect(parseLine("a=1 b=2", "out").format).toBe("plain")
    expect(parseLine("GET /users 200 ok=true took=5ms", "out").format).toBe("plain")
  })
})

describe("plain lines", () => {
  test("level words; stderr without one is a warning, stdout info", () => {
    const level = (text: string, stream: "out" | "err" = "out") => parseLine(text, stream).level
    expect(level("Listening on :8080")).toBe("info")
    expect(level("Listening on :8080", "err")).toBe("warn")
    expect(level("ERROR could not connect")).toBe("error")
    expect(level("error: could not connect")).toBe("error")
    expect(level("[WARN] slow query")).toBe("warn")
    expect(level("DEBUG cache size 3")).toBe("debug")
    expect(level("FATAL out of memory")).toBe("fatal")
    expect(level("panic: runtime error: index out of range", "err")).toBe("fatal")
    expect(level("INFO ready", "err")).toBe("info")
  })

  test("ordinary words are not levels", () => {
    const level = (text: string) => parseLine(text, "out").level
    expect(level("no errors found")).toBe("info")
    expect(level("sent an alert to on-call")).toBe("info")
    expect(level("computing the critical path")).toBe("info")
  })

  test("the line is the body, untouched", () => {
    expect(parseLine("  indented  ", "out")).toEqual({ body: "  indented  ", level: "info", attributes: {}, format: "plain" })
  })
})

test("levelFromText", () => {
  expect(["fatal", "panic", "dpanic", "error", "err", "severe", "warning", "notice", "info", "fine", "debug", "finest", "verbose"].map(levelFromText)).toEqual([
    "fatal", "fatal", "fatal", "error", "error", "error", "warn", "info", "info", "debug", "debug", "trace", "trace",
  ])
  expect(levelFromText("whatever")).toBeUndefined()
  expect(levelFromText("")).toBeUndefined()
})
