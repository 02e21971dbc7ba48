/**
 * `devrig start -d`: runs the supervisor as a background process (its own session, output in
 * .devrig/supervisor.log) and returns once everything is up (exit 0) or has failed (exit 2, with
 * the reason and the last log lines of what failed).
 */
import { openSync, readFileSync } from "node:fs"
import type { LoadedConfig } from "../config/load.ts"
import { ensureStateDir } from "../project/state.ts"
import { controlRequest } from "../services/control.ts"
import type { Supervisor } from "../services/supervisor.ts"
import { c, eprintln, println } from "./output.ts"
import { summary } from "./summary.ts"

type Status = ReturnType<Supervisor["status"]>

export function selfCommand(): string[] {
  // A compiled binary has its bundle at /$bunfs/…; under `bun src/main.ts` the script is argv[1].
  const script = process.argv[1]
  // When the binary is replaced while this process runs (an upgrade, a rebuild), Linux reports
  // the old inode as "<path> (deleted)"; the file now at <path> is the one to run.
  const exe = process.execPath.replace(/ \(deleted\)$/, "")
  return script && !script.startsWith("/$bunfs/") ? [exe, script] : [exe]
}

export async function runDetached(loaded: LoadedConfig, argv: string[]): Promise<number> {
  const root = loaded.identity.root
  const paths = ensureStateDir(root)
  const fd = openSync(paths.supervisorLog, "w", 0o600)
  const child = Bun.spawn([...selfCommand(), ...argv], {
    cwd: process.cwd(),
    env: { ...process.env, DEVRIG_SUPERVISOR: "detached" },
    stdin: "ignore",
    stdout: fd,
    stderr: fd,
    detached: true,
  })
  let exitCode: number | undefined
  void child.exited.then((code) => (exitCode = code))
  for (;;) {
    if (exitCode !== undefined) {
      eprintln(tail(paths.supervisorLog, 30))
      return exitCode === 0 ? 2 : exitCode
    }
    // Long-poll: the supervisor answers as soon as its start has settled (or after a few seconds).
    const status = await controlRequest<Status>(root, "/status?settled=1", { timeoutMs: 10_000 }).catch(() => undefined)
    if (status?.phase === "up") {
      for (const n of status.notices ?? []) println(`  ${c.dim("»")} ${n}`)
      println(summary(status, "Running in the background. Stop with: devrig stop"))
      child.unref()
      return 0
    }
    if (status?.phase === "failed") {
      const f = status.failure
      eprintln(`${c.red("✗")} ${loaded.identity.name} could not start: ${f?.component}: ${f?.reason}`)
      if (f?.lines.length) eprintln(f.lines.map((l) => `    ${c.dim("|")} ${l}`).join("\n"))
      // An unref'd timer: a pending Bun.sleep() would keep this process alive for the full
      // minute after the supervisor already exited.
      await Promise.race([child.exited, new Promise((r) => setTimeout(r, 60_000).unref())])
      return 2
    }
    await Bun.sleep(status ? 5 : 20)
  }
}

function tail(file: string, n: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n")
  } catch {
    return ""
  }
}
