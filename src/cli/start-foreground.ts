/**
 * `devrig start` in the foreground (and the body of a detached supervisor).
 *
 * An interrupt (Ctrl+C, SIGTERM, SIGHUP) may come at any point of the start: the supervisor's
 * shutdown winds down whatever is still starting and takes down what was started, and
 * "Stopped" is printed only once nothing of the run is left. A start whose components failed
 * (a ready check, a crash with `restart = "never"`, a command that cannot run) is reported, torn
 * down and exits 2, as with `start -d`.
 */
import type { LoadedConfig } from "../config/load.ts"
import { Supervisor } from "../services/supervisor.ts"
import { c, eprintln, println, write } from "./output.ts"
import { globalOptions } from "./context.ts"
import { logPrefix, summary } from "./summary.ts"

export async function runForeground(loaded: LoadedConfig, opts: { only: string[]; noTraefik: boolean; detached: boolean; lockFrom?: number }): Promise<number> {
  const c0 = loaded.config
  const names = [...Object.keys(c0.services ?? {}), ...Object.keys(c0.docker ?? {}), ...(c0.compose?.services ?? loaded.ctx.composeServices)]
  const width = Math.max(6, ...names.map((n) => n.length))
  const out = (s: string) => write(process.stdout, s + "\n")
  const sup = new Supervisor(loaded, {
    only: opts.only,
    detached: opts.detached,
    noTraefik: opts.noTraefik,
    verbose: globalOptions.verbose,
    lockFrom: opts.lockFrom,
    onLine: (name, stream, text) => {
      if (!opts.detached || stream === "sys") out(logPrefix(name, width, stream) + text)
    },
    onInfo: (text) => out(`  ${c.dim("»")} ${text}`),
  })
  let stopping = false
  const stop = () => {
    if (stopping) {
      out(c.red("  Forced exit: some processes may still be stopping"))
      process.exit(130)
    }
    stopping = true
    out(`\n  ${c.dim("Stopping…")}`)
    void sup.shutdown().then(async () => {
      const left = await sup.leftovers()
      if (left.length) {
        out(`  ${c.red("✗")} ${loaded.identity.name} did not stop completely: ${left.join(", ")}`)
        process.exit(2)
      }
      out(`  ${c.green("✓")} Stopped ${loaded.identity.name}`)
      process.exit(0)
    })
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  process.on("SIGHUP", stop)
  const forever = new Promise<number>(() => {})
  try {
    await sup.start()
  } catch (e) {
    // Interrupted: the signal handler finishes (and prints "Stopped" once it is true).
    if (stopping) return forever
    await sup.shutdown()
    throw e
  }
  if (stopping) return forever
  if (sup.phase === "failed") {
    const f = sup.failure
    println(summary(sup.status(), `${c.red("Start failed:")} stopping what was started`))
    if (!opts.detached) {
      eprintln(`${c.red("✗")} ${loaded.identity.name} could not start: ${f?.component}: ${f?.reason}`)
      if (f?.lines.length) eprintln(f.lines.map((l) => `    ${c.dim("|")} ${l}`).join("\n"))
    }
    // Give the waiting `start -d` time to read the failure over the socket, then clean up.
    if (opts.detached) await Bun.sleep(1500)
    if (stopping) return forever
    stopping = true
    await sup.shutdown()
    return 2
  }
  const footer = opts.detached ? "Running in the background. Stop with: devrig stop" : "Press Ctrl+C to stop all services"
  println(summary(sup.status(), footer))
  return forever
}
