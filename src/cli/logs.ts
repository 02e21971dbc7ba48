import { defineCommand } from "citty"
import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from "node:fs"
import { join, resolve } from "node:path"
import { InputError } from "../errors.ts"
import { parseLine } from "../services/line-parse.ts"
import { CURSOR_ARGS, cursorMs } from "./cursors.ts"
import { statePaths } from "../project/identity.ts"
import { loggedNames, readMerged, type LogLine } from "../services/logs.ts"
import { liveSupervisor } from "../services/recover.ts"
import { checkNames, project } from "./project-cmd.ts"
import { logPrefix } from "./summary.ts"
import { println } from "./output.ts"

export default defineCommand({
  meta: { name: "logs", description: "Unified logs of services and containers (stored under .devrig/logs)" },
  args: {
    services: { type: "positional", required: false, description: "Components to show (default: all)" },
    follow: { type: "boolean", description: "Keep printing new lines (default when the output is a terminal)" },
    ...CURSOR_ARGS,
    grep: { type: "string", description: "Only lines matching this regular expression" },
    level: { type: "string", description: "Only lines at this level or above (debug, info, warn, error), read from JSON/logfmt fields or level words", valueHint: "level" },
    output: { type: "string", alias: "o", description: "Write the lines to this file instead of the terminal (plain text, or JSON lines with --json)", valueHint: "file" },
    tail: { type: "string", description: "Only the last N lines" },
    json: { type: "boolean", description: "JSON lines: {time, name, stream, line}" },
  },
  async run({ args }) {
    const { loaded } = project()
    const names = args._.map(String)
    checkNames(loaded, names)
    const dir = statePaths(loaded.identity.root).logs
    const filter = makeFilter(cursorMs(loaded.identity.root, args), args.grep, args.level)
    const sink = args.output ? openSync(resolve(args.output), "w", 0o600) : undefined
    const tail = args.tail !== undefined ? Number(args.tail) : undefined
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new InputError(`--tail must be a whole number, got ${JSON.stringify(args.tail)}`)
    const selected = () => (names.length ? names : loggedNames(dir))
    const width = Math.max(6, ...selected().map((n) => n.length))
    const print = (l: LogLine) => {
      const text = args.json ? JSON.stringify({ time: l.t, name: l.n, stream: l.s, line: l.m }) : sink !== undefined ? `${l.t} ${l.n} ${l.s === "err" ? "!" : "|"} ${l.m}` : logPrefix(l.n, width, l.s) + l.m
      if (sink !== undefined) return void writeSync(sink, text + "\n")
      println(text) // a reader that goes away (`| head`) ends devrig: see pipe.ts
    }
    let lines = readMerged(dir, selected()).filter(filter)
    // slice(-0) is the whole array: `--tail 0` (e.g. with --follow: only new lines) prints none.
    if (tail !== undefined) lines = tail === 0 ? [] : lines.slice(-tail)
    for (const l of lines) print(l)
    const follow = args.follow ?? (sink === undefined && process.stdout.isTTY === true && !!liveSupervisor(loaded.identity.root))
    if (!follow) {
      if (sink !== undefined) {
        closeSync(sink)
        process.stderr.write(`wrote ${lines.length} line${lines.length === 1 ? "" : "s"} to ${args.output}\n`)
      }
      return 0
    }
    const offsets = new Map<string, number>()
    for (const n of loggedNames(dir)) offsets.set(n, fileSize(join(dir, `${n}.log`)))
    for (;;) {
      await Bun.sleep(200)
      for (const n of selected()) {
        const file = join(dir, `${n}.log`)
        const size = fileSize(file)
        let from = offsets.get(n) ?? 0
        if (size < from) from = 0 // rotated
        if (size === from) continue
        for (const l of readRange(file, from, size, n)) if (filter(l)) print(l)
        offsets.set(n, size)
      }
    }
  },
})

const RANK: Record<string, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5 }

function makeFilter(sinceMs: number | undefined, grep: string | undefined, level: string | undefined): (l: LogLine) => boolean {
  const after = sinceMs === undefined ? undefined : new Date(sinceMs).toISOString()
  const min = level === undefined ? undefined : RANK[level.toLowerCase().replace(/^warning$/, "warn")]
  if (level !== undefined && min === undefined) throw new InputError(`invalid --level ${JSON.stringify(level)}: use trace, debug, info, warn, error or fatal`)
  let re: RegExp | undefined
  if (grep !== undefined) {
    try {
      re = new RegExp(grep)
    } catch (e) {
      throw new InputError(`invalid --grep pattern: ${(e as Error).message}`)
    }
  }
  return (l) =>
    (!after || l.t >= after) &&
    (!re || re.test(l.m)) &&
    (min === undefined || (l.s !== "sys" && (RANK[parseLine(l.m, l.s === "err" ? "err" : "out").level] ?? RANK.info!) >= min))
}

function fileSize(file: string): number {
  try {
    return existsSync(file) ? statSync(file).size : 0
  } catch {
    return 0
  }
}

function readRange(file: string, from: number, to: number, name: string): LogLine[] {
  const fd = openSync(file, "r")
  const buf = Buffer.alloc(to - from)
  readSync(fd, buf, 0, buf.length, from)
  closeSync(fd)
  const out: LogLine[] = []
  for (const raw of buf.toString("utf8").split("\n")) {
    if (!raw) continue
    try {
      const j = JSON.parse(raw) as { t: string; s: LogLine["s"]; m: string }
      out.push({ t: j.t, s: j.s, n: name, m: j.m })
    } catch {}
  }
  return out
}
