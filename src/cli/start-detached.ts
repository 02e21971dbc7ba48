/**
 * `devrig start -d`: runs the supervisor as a background process (its own session, output in
 * .devrig/supervisor.log) and returns once everything is up (exit 0) or has failed (exit 2, with
 * the reason and the last log lines of what failed).
 */
import { openSync, readFileSync } from "node:fs"
import type { LoadedConfig } from "../config/load.ts"
import { ensureStateDir } from "../project/state.ts"
import { processEnv } from "../env.ts"
import { controlRequest } from "../services/control.ts"
import { selfCommand } from "../platform/self.ts"
import { acquireLock, releaseLock } from "../services/lock.ts"
import { watchdogPids } from "../services/recover.ts"
import { globalOptions } from "./context.ts"
import type { Supervisor } from "../services/supervisor.ts"
import { c, eprintln, println } from "./output.ts"
import { summary } from "./summary.ts"

type Status = ReturnType<Supervisor["status"]>

export async function runDetached(loaded: LoadedConfig, argv: string[]): Promise<number> {
  const root = loaded.identity.root
  // Taken before the log is truncated or anything spawned; the supervisor takes it over from us.
  acquireLock(root, loaded.identity.name, { launcher: true })
  try {
    return await spawnAndWait(loaded, argv)
  } finally {
    releaseLock(root) // only if the supervisor never took it over (it failed early)
  }
}

async function spawnAndWait(loaded: LoadedConfig, argv: string[]): Promise<number> {
  const root = loaded.identity.root
  const paths = ensureStateDir(root)
  const fd = openSync(paths.supervisorLog, "w", 0o600)
  const child = Bun.spawn([...selfCommand(), ...argv], {
    cwd: process.cwd(),
    env: { ...processEnv(), DEVRIG_SUPERVISOR: "detached", DEVRIG_LOCK_FROM: String(process.pid) },
    stdin: "ignore",
    stdout: fd,
    stderr: fd,
    detached: true,
  })
  let exitCode: number | undefined
  void child.exited.then((code) => (exitCode = code))
  // --verbose: the supervisor's messages (the Compose command lines among them) as they come.
  const relay = globalOptions.verbose ? logRelay(paths.supervisorLog) : () => {}
  for (;;) {
    relay()
    if (exitCode !== undefined) {
      // The supervisor ended before its start settled: its last words say why. Its `»` progress
      // lines are left out (with --verbose they were relayed already): the error comes first.
      eprintln(tail(paths.supervisorLog, 30, (l) => !isProgress(l)))
      return exitCode === 0 ? 2 : exitCode
    }
    // Long-poll: the supervisor answers as soon as its start has settled (or after a few seconds).
    const got = await controlRequest<Status>(root, "/status?settled=1", { timeoutMs: 10_000 }).catch(() => undefined)
    // Only our own supervisor's answer counts.
    const status = got?.supervisorPid === child.pid ? got : undefined
    relay()
    const failedNow = status?.components.find((x) => x.state === "failed")
    if (status?.phase === "up" && !failedNow) {
      // (with --verbose they were relayed from the log already)
      if (!globalOptions.verbose) for (const n of status.notices ?? []) println(`  ${c.dim("»")} ${n}`)
      println(summary(status, "Running in the background. Stop with: devrig stop"))
      child.unref()
      return 0
    }
    if (status?.phase === "failed" || (status?.phase === "up" && failedNow)) {
      // A start whose components failed is not a success, also when one failed just after the
      // start settled (a `restart = "never"` service that crashed): the summary shows it, so the
      // exit code says it, and what was started is stopped, as in the foreground.
      if (status.phase === "up") {
        println(summary(status, `${c.red("Start failed:")} stopping what was started`))
        await controlRequest(root, "/stop", { method: "POST", body: { services: [] } }).catch(() => undefined)
      }
      const f = status.phase === "failed" ? status.failure : { component: failedNow!.name, reason: failedNow!.error ?? "failed", lines: [] }
      eprintln(`${c.red("✗")} ${loaded.identity.name} could not start: ${f?.component}: ${f?.reason}`)
      if (f?.lines.length) eprintln(f.lines.map((l) => `    ${c.dim("|")} ${l}`).join("\n"))
      // An unref'd timer: a pending Bun.sleep() would keep this process alive for the full
      // minute after the supervisor already exited.
      await Promise.race([child.exited, new Promise((r) => setTimeout(r, 60_000).unref())])
      await waitWatchdogGone(loaded.identity.configPath)
      relay()
      return 2
    }
    await Bun.sleep(status ? 5 : 20)
  }
}

/** The supervisor ends its watchdog as it exits; wait for that, so nothing outlives this command. */
async function waitWatchdogGone(configPath: string): Promise<void> {
  const deadline = Date.now() + 5000
  while (watchdogPids(configPath).length && Date.now() < deadline) await Bun.sleep(20)
}

/** Prints the supervisor's own messages (`  » …` lines) appended to its log since the last call. */
function logRelay(file: string): () => void {
  let offset = 0
  let partial = ""
  return () => {
    let text: string
    try {
      const buf = readFileSync(file)
      if (buf.length <= offset) return
      text = partial + buf.subarray(offset).toString("utf8")
      offset = buf.length
    } catch {
      return
    }
    const lines = text.split("\n")
    partial = lines.pop() ?? ""
    for (const l of lines) if (isProgress(l)) println(l)
  }
}

const ANSI = /\x1b\[[0-9;]*m/g

const isProgress = (line: string) => /^\s*» /.test(line.replace(ANSI, ""))

function tail(file: string, n: number, keep: (line: string) => boolean = () => true): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").filter(keep).slice(-n).join("\n")
  } catch {
    return ""
  }
}
