import { defineCommand } from "citty"
import { existsSync, openSync, readSync, statSync, closeSync } from "node:fs"
import { join } from "node:path"
import { InputError } from "../errors.ts"
import { parseDuration } from "../duration.ts"
import { statePaths } from "../project/identity.ts"
import { loggedNames, readMerged, type LogLine } from "../services/logs.ts"
import { liveSupervisor } from "../services/recover.ts"
import { checkNames, project } from "./project-cmd.ts"
import { logPrefix } from "./summary.ts"

export default defineCommand({
  meta: { name: "logs", description: "Unified logs of services and containers (stored under .devrig/logs)" },
  args: {
    services: { type: "positional", required: false, description: "Components to show (default: all)" },
    follow: { type: "boolean", description: "Keep printing new lines (default when the output is a terminal)" },
    since: { type: "string", description: "Only lines newer than this (5m, 1h) or an ISO timestamp" },
    grep: { type: "string", description: "Only lines matching this regular expression" },
    tail: { type: "string", description: "Only the last N lines" },
    json: { type: "boolean", description: "JSON lines: {time, name, stream, line}" },
  },
  async run({ args }) {
    const { loaded } = project()
    const names = args._.map(String)
    checkNames(loaded, names)
    const dir = statePaths(loaded.identity.root).logs
    const filter = makeFilter(args.since, args.grep)
    const tail = args.tail !== undefined ? Number(args.tail) : undefined
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new InputError(`--tail must be a whole number, got ${JSON.stringify(args.tail)}`)
    const selected = () => (names.length ? names : loggedNames(dir))
    const width = Math.max(6, ...selected().map((n) => n.length))
    const print = (l: LogLine) => {
      const text = args.json ? JSON.stringify({ time: l.t, name: l.n, stream: l.s, line: l.m }) : logPrefix(l.n, width, l.s) + l.m
      try {
        process.stdout.write(text + "\n")
      } catch {
        process.exit(0) // reader went away (`| head`)
      }
    }
    process.stdout.on?.("error", () => process.exit(0))
    let lines = readMerged(dir, selected()).filter(filter)
    if (tail !== undefined) lines = lines.slice(-tail)
    for (const l of lines) print(l)
    const follow = args.follow ?? (process.stdout.isTTY === true && !!liveSupervisor(loaded.identity.root))
    if (!follow) return 0
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

function makeFilter(since: string | undefined, grep: string | undefined): (l: LogLine) => boolean {
  let after: string | undefined
  if (since) {
    const ts = /^\d{4}-\d\d-\d\d/.test(since) ? Date.parse(since) : Date.now() - parseDuration(since)
    if (Number.isNaN(ts)) throw new InputError(`invalid --since ${JSON.stringify(since)}: use a duration (5m) or an ISO 8601 time`)
    after = new Date(ts).toISOString()
  }
  let re: RegExp | undefined
  if (grep !== undefined) {
    try {
      re = new RegExp(grep)
    } catch (e) {
      throw new InputError(`invalid --grep pattern: ${(e as Error).message}`)
    }
  }
  return (l) => (!after || l.t >= after) && (!re || re.test(l.m))
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
