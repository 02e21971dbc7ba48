/**
 * A service's output line as a structured log record: JSON lines and logfmt lines are parsed
 * (message, level, timestamp, trace/span ids); plain lines get a level from common level words,
 * and stderr without one reads as a warning. Pure, so it is tested on its own.
 */
import type { LogLevel } from "../otel/model.ts"

export interface ParsedLine {
  body: string
  level: LogLevel
  /** ms since epoch, when the line carried its own time */
  timeMs?: number
  traceId?: string
  spanId?: string
  attributes: Record<string, string | number | boolean>
  format: "json" | "logfmt" | "plain"
}

export const SEVERITY: Record<LogLevel, number> = { unspecified: 0, trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 }

const LEVEL_WORDS: [RegExp, LogLevel][] = [
  // upper case, or lower case as a prefix ("panic: …"): "sent an alert" is not a fatal line
  [/\b(FATAL|PANIC|CRITICAL|CRIT|EMERG(ENCY)?|ALERT)\b/, "fatal"],
  [/\b(fatal|panic|critical|crit|emerg(ency)?|alert)\b[:\]]/i, "fatal"],
  [/\b(ERROR|ERR|EXCEPTION|FAILED|FAILURE)\b/, "error"],
  [/\b(error|err)\b[:\]]/i, "error"],
  [/\b(WARN|WARNING)\b/i, "warn"],
  [/\bINFO\b/i, "info"],
  [/\b(DEBUG|DBG)\b/i, "debug"],
  [/\bTRACE\b/, "trace"],
]

export function levelFromText(text: string): LogLevel | undefined {
  const v = text.toLowerCase()
  if (/^(fatal|panic|critical|crit|emerg|alert|dpanic)/.test(v)) return "fatal"
  if (/^(error|err|severe)/.test(v)) return "error"
  if (/^warn/.test(v)) return "warn"
  if (/^(info|notice|information)/.test(v)) return "info"
  // before debug: "finest" starts with "fine"
  if (/^(trace|finest|verbose)/.test(v)) return "trace"
  if (/^(debug|dbg|fine)/.test(v)) return "debug"
  const n = Number(v)
  if (Number.isFinite(n) && v !== "") {
    // pino/bunyan numeric levels: 10 trace … 60 fatal
    if (n >= 60) return "fatal"
    if (n >= 50) return "error"
    if (n >= 40) return "warn"
    if (n >= 30) return "info"
    if (n >= 20) return "debug"
    return "trace"
  }
  return undefined
}

const HEX32 = /^[0-9a-f]{32}$/i
const HEX16 = /^[0-9a-f]{16}$/i

export function parseLine(text: string, stream: "out" | "err"): ParsedLine {
  const trimmed = text.trim()
  if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
    try {
      const obj = JSON.parse(trimmed) as Record<string, unknown>
      if (obj && typeof obj === "object" && !Array.isArray(obj)) return fromFields(obj, stream, "json", text)
    } catch {}
  }
  const kv = parseLogfmt(trimmed)
  if (kv && ("msg" in kv || "message" in kv || "level" in kv || "lvl" in kv)) return fromFields(kv, stream, "logfmt", text)
  return { body: text, level: plainLevel(text, stream), attributes: {}, format: "plain" }
}

function plainLevel(text: string, stream: "out" | "err"): LogLevel {
  for (const [re, level] of LEVEL_WORDS) if (re.test(text)) return level
  return stream === "err" ? "warn" : "info"
}

const pick = (o: Record<string, unknown>, ...keys: string[]) => {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null && o[k] !== "") return o[k]
  return undefined
}

function fromFields(o: Record<string, unknown>, stream: "out" | "err", format: "json" | "logfmt", raw: string): ParsedLine {
  const message = pick(o, "msg", "message", "body", "event")
  const levelRaw = pick(o, "level", "lvl", "severity", "log.level", "levelname")
  const time = pick(o, "time", "ts", "timestamp", "@timestamp")
  const traceId = pick(o, "trace_id", "traceId", "traceid", "trace.id", "otelTraceID")
  const spanId = pick(o, "span_id", "spanId", "spanid", "span.id", "otelSpanID")
  const used = new Set(["msg", "message", "body", "event", "level", "lvl", "severity", "log.level", "levelname", "time", "ts", "timestamp", "@timestamp", "trace_id", "traceId", "traceid", "trace.id", "otelTraceID", "span_id", "spanId", "spanid", "span.id", "otelSpanID"])
  const attributes: ParsedLine["attributes"] = {}
  for (const [k, v] of Object.entries(o)) {
    if (used.has(k)) continue
    attributes[k] = typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : JSON.stringify(v)
  }
  return {
    body: message === undefined ? raw : String(message),
    level: (levelRaw !== undefined ? levelFromText(String(levelRaw)) : undefined) ?? plainLevel(message === undefined ? raw : String(message), stream),
    timeMs: parseTime(time),
    traceId: validId(traceId, HEX32),
    spanId: validId(spanId, HEX16),
    attributes,
    format,
  }
}

/** Lower-case hex of the right length; all zeros is W3C's "no id". */
function validId(v: unknown, re: RegExp): string | undefined {
  return typeof v === "string" && re.test(v) && /[1-9a-f]/i.test(v) ? v.toLowerCase() : undefined
}

function parseTime(v: unknown): number | undefined {
  if (typeof v === "number") {
    // seconds, milliseconds or nanoseconds since the epoch
    if (v > 1e17) return Math.round(v / 1e6)
    if (v > 1e11) return v
    if (v > 1e8) return v * 1000
    return undefined
  }
  if (typeof v === "string") {
    // logfmt values are always strings: `ts=1718000000.123` is an epoch time too
    if (/^\d+(\.\d+)?$/.test(v)) return parseTime(Number(v))
    const t = Date.parse(v)
    return Number.isNaN(t) ? undefined : t
  }
  return undefined
}

/** `key=value key2="quoted value"`; undefined when the line isn't mostly pairs. */
export function parseLogfmt(line: string): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  const re = /([A-Za-z_][A-Za-z0-9_.\-@]*)=("(?:[^"\\]|\\.)*"|\S*)/g
  let pairs = 0
  let covered = 0
  for (const m of line.matchAll(re)) {
    const raw = m[2]!
    out[m[1]!] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw
    pairs++
    covered += m[0].length
  }
  // Prose with an "a=b" in it is not logfmt: most of the line must be pairs.
  return pairs >= 2 && covered >= line.replace(/\s+/g, "").length * 0.6 ? out : undefined
}
