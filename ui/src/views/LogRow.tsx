import type { LogLevel, LogRecord } from "../../../src/server/api-types.ts"
import { fmtValue } from "../lib/format.ts"

export const LEVELS: LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal"]
export const levelRank = (l: LogLevel) => LEVELS.indexOf(l) // unspecified → -1: hidden by any severity filter, as in the API

const LEVEL_CLASS: Record<LogLevel, string> = {
  trace: "text-faint border-line",
  debug: "text-muted border-line",
  info: "text-info border-info/30",
  warn: "text-warn border-warn/40",
  error: "text-err border-err/40 bg-err/10",
  fatal: "text-white border-err bg-err",
  unspecified: "text-faint border-line",
}

export function LevelBadge(props: { level: LogLevel }) {
  return (
    <span class={`inline-flex justify-center w-12 shrink-0 rounded border text-[10px] font-semibold uppercase leading-4 ${LEVEL_CLASS[props.level]}`} data-testid="log-level">
      {props.level === "unspecified" ? "—" : props.level}
    </span>
  )
}

export const logBody = (l: LogRecord) => fmtValue(l.body)

export const logKey = (l: LogRecord) => `${l.timeUnixNano}|${l.service}|${l.spanId ?? ""}|${logBody(l).slice(0, 80)}`
