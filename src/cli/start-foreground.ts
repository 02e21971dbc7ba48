/** `devrig start` in the foreground (and the body of a detached supervisor). */
import type { LoadedConfig } from "../config/load.ts"
import { Supervisor } from "../services/supervisor.ts"
import { c, println, write } from "./output.ts"
import { globalOptions } from "./context.ts"
import { logPrefix, summary } from "./summary.ts"

export async function runForeground(loaded: LoadedConfig, opts: { only: string[]; noTraefik: boolean; detached: boolean }): Promise<number> {
  const c0 = loaded.config
  const names = [...Object.keys(c0.services ?? {}), ...Object.keys(c0.docker ?? {}), ...(c0.compose?.services ?? loaded.ctx.composeServices)]
  const width = Math.max(6, ...names.map((n) => n.length))
  const out = (s: string) => write(process.stdout, s + "\n")
  const sup = new Supervisor(loaded, {
    only: opts.only,
    detached: opts.detached,
    noTraefik: opts.noTraefik,
    verbose: globalOptions.verbose,
    onLine: (name, stream, text) => {
      if (!opts.detached || stream === "sys") out(logPrefix(name, width, stream) + text)
    },
    onInfo: (text) => out(`  ${c.dim("»")} ${text}`),
  })
  let stopping = false
  const stop = (code: number) => {
    if (stopping) {
      out(c.red("  Forced exit: some processes may still be stopping"))
      process.exit(130)
    }
    stopping = true
    out(`\n  ${c.dim("Stopping…")}`)
    void sup.shutdown().then(() => {
      out(`  ${c.green("✓")} Stopped ${loaded.identity.name}`)
      process.exit(code)
    })
  }
  process.on("SIGINT", () => stop(0))
  process.on("SIGTERM", () => stop(0))
  process.on("SIGHUP", () => stop(0))
  try {
    await sup.start()
  } catch (e) {
    await sup.shutdown()
    throw e
  }
  if (stopping) return new Promise(() => {})
  const footer = opts.detached ? "Running in the background. Stop with: devrig stop" : "Press Ctrl+C to stop all services"
  println(summary(sup.status(), footer))
  if (opts.detached && sup.phase === "failed") {
    // Give the waiting `start -d` time to read the failure over the socket, then clean up.
    await Bun.sleep(1500)
    await sup.shutdown()
    return 2
  }
  return new Promise(() => {})
}
