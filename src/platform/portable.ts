/**
 * The portable backend: asks `ps` and `lsof`, which macOS and every Linux distribution have. Used on
 * macOS, on any system without /proc, and wherever DEVRIG_PLATFORM=portable forces it (the test
 * suite runs the whole process suite a second time that way).
 *
 * The environment a process was exec'd with comes from `ps -E` on macOS (the kernel hands it out
 * for the user's own processes) and `ps e` with procps. Start times are epoch seconds from
 * `lstart`, read under LC_ALL=C and the caller's time zone.
 */
import { isDarwin } from "./info.ts"
import type { Backend, ProcessEntry } from "./backend.ts"

const PS_TIMEOUT_MS = 10_000

function _run(argv: string[]): string {
  try {
    const r = Bun.spawnSync(argv, { stdin: "ignore", stdout: "pipe", stderr: "ignore", env: { ...process.env, LC_ALL: "C" }, timeout: PS_TIMEOUT_MS })
    // ps exits 1 when a -p pid does not exist; the (empty) output says the same.
    return r.stdout.toString()
  } catch {
    return ""
  }
}

/**
 * `-o` per keyword, each with an empty header: BSD ps (macOS) lets only the *last* keyword of one
 * `-o` list carry `=header`, which then swallows the rest of the argument.
 */
function _fields(...names: string[]): string[] {
  return names.flatMap((n) => ["-o", `${n}=`])
}

/** `ps` with the environment appended to each command line. */
function _psWithEnv(fields: string[]): string {
  return isDarwin() ? _run(["ps", "-A", "-ww", "-E", ..._fields(...fields)]) : _run(["ps", "-A", "-ww", ..._fields(...fields), "e"])
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/** `Mon Nov 30 19:59:59 2026` (local time) → epoch seconds. Exported for the unit tests. */
export function parseLstart(text: string): number | undefined {
  const m = /^\s*\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})/.exec(text)
  if (!m) return undefined
  const month = MONTHS.indexOf(m[1]!)
  if (month < 0) return undefined
  return new Date(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).getTime() / 1000
}

/** Leading integer columns of a `ps` line, then the rest. */
function _columns(line: string, n: number): { nums: number[]; rest: string } | undefined {
  const parts = line.trim().split(/\s+/)
  if (parts.length < n) return undefined
  const nums = parts.slice(0, n).map(Number)
  if (nums.some((x) => !Number.isInteger(x))) return undefined
  const rest = line.trim().replace(new RegExp(`^(\\S+\\s+){${n}}`), "")
  return { nums, rest: parts.length === n ? "" : rest }
}

/** `DEVRIG_RUN=a/b` as a whole word of ps's "command + environment" text. */
function _hasAssignment(text: string, assignment: string, prefix: boolean): boolean {
  let from = 0
  for (;;) {
    const i = text.indexOf(assignment, from)
    if (i < 0) return false
    const before = i === 0 ? " " : text[i - 1]!
    const after = text[i + assignment.length]
    if (/\s/.test(before) && (prefix || after === undefined || /\s/.test(after))) return true
    from = i + 1
  }
}

export const portable: Backend = {
  name: "portable",

  table() {
    const out: ProcessEntry[] = []
    for (const line of _run(["ps", "-A", ..._fields("pid", "ppid", "pgid", "stat")]).split("\n")) {
      const c = _columns(line, 3)
      if (c) out.push({ pid: c.nums[0]!, ppid: c.nums[1]!, pgid: c.nums[2]!, zombie: c.rest.startsWith("Z") })
    }
    return out
  },

  stat(pid) {
    const line = _run(["ps", ..._fields("stat", "lstart"), "-p", String(pid)]).trim()
    if (!line) return undefined
    const [state = "", ...rest] = line.split(/\s+/)
    const startTime = parseLstart(rest.join(" "))
    return startTime === undefined ? undefined : { zombie: state.startsWith("Z"), startTime }
  },

  withEnv(assignment, prefix) {
    const out: number[] = []
    for (const line of _psWithEnv(["pid", "stat", "command"]).split("\n")) {
      const c = _columns(line, 1)
      if (!c || c.nums[0] === process.pid) continue
      const [state = "", ...rest] = c.rest.split(" ")
      if (!state.startsWith("Z") && _hasAssignment(rest.join(" "), assignment, prefix)) out.push(c.nums[0]!)
    }
    return out
  },

  withArg(arg) {
    const out: number[] = []
    for (const line of _run(["ps", "-A", "-ww", ..._fields("pid", "command")]).split("\n")) {
      const c = _columns(line, 1)
      if (c && c.nums[0] !== process.pid && c.rest.split(/\s+/).includes(arg)) out.push(c.nums[0]!)
    }
    return out
  },

  commandLine(pid) {
    return _run(["ps", "-ww", ..._fields("command"), "-p", String(pid)]).trim() || "?"
  },

  /** The open file lsof lists with descriptor type `txt` first is the program itself. */
  executable(pid) {
    const out = _run(["lsof", "-nP", "-a", "-p", String(pid), "-d", "txt", "-Fn"])
    return out.split("\n").find((l) => l.startsWith("n"))?.slice(1)
  },

  /** `lsof -t` prints bare pids; -sTCP:LISTEN keeps clients of the port out. */
  portHolderPid(port) {
    const out = _run(["lsof", "-nP", "-t", `-iTCP:${port}`, "-sTCP:LISTEN"])
    const pids = out.split("\n").map(Number).filter((p) => Number.isInteger(p) && p > 0)
    return pids.length ? Math.min(...pids) : undefined
  },
}
