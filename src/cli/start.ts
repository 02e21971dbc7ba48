import { defineCommand } from "citty"
import { loadConfig, type LoadedConfig } from "../config/load.ts"
import { ConfigError } from "../config/problems.ts"
import { getEnv } from "../env.ts"
import { InputError } from "../errors.ts"
import { liveSupervisor } from "../services/recover.ts"
import { controlRequest } from "../services/control.ts"
import { acquireLock, releaseLock } from "../services/lock.ts"
import type { Supervisor } from "../services/supervisor.ts"
import { globalOptions } from "./context.ts"
import { c, println } from "./output.ts"
import { checkNames, project } from "./project-cmd.ts"
import { runDetached } from "./start-detached.ts"
import { runForeground } from "./start-foreground.ts"

export default defineCommand({
  meta: { name: "start", description: "Start everything in devrig.toml, or the named services plus what they depend on" },
  args: {
    services: { type: "positional", required: false, description: "Services to start (default: all)" },
    detach: { type: "boolean", alias: "d", description: "Start in the background and return once everything is up" },
    // citty reads `--no-traefik` as the negation of a boolean `traefik`
    traefik: { type: "boolean", default: true, description: "Compose: run a service named traefik", negativeDescription: "Compose: scale a service named traefik to zero (--scale traefik=0)" },
  },
  async run({ args }) {
    const only = args._.map(String)
    const mode = getEnv("DEVRIG_SUPERVISOR")
    let loaded: LoadedConfig
    try {
      loaded = loadConfig({ file: globalOptions.file })
    } catch (e) {
      // `devrig start api` during a broken edit: the running supervisor starts it with the config
      // it last accepted (as `stop` and `restart` do).
      if (!(e instanceof ConfigError) || !only.length || mode) throw e
      const p = project()
      if (!p.supervisor) throw e
      return startInRunning(p.loaded, only)
    }
    // The background supervisor spawned by `start -d` takes over its parent's lock.
    if (mode === "detached") return runForeground(loaded, { only, noTraefik: args.traefik === false, detached: true, lockFrom: Number(getEnv("DEVRIG_LOCK_FROM")) || undefined })
    const running = liveSupervisor(loaded.identity.root, loaded.identity.slug)
    // `devrig start api` while the project runs (e.g. after `devrig stop api`): the running
    // supervisor starts it (and what it needs) instead of refusing with "already running".
    if (running && only.length) return startInRunning(loaded, only)
    if (running) {
      // Throws ProjectLockedError naming the holder (after a `start -d` has handed over to its supervisor).
      acquireLock(loaded.identity.root, loaded.identity.name)
      releaseLock(loaded.identity.root)
      throw new InputError(`${loaded.identity.name} is already running (supervisor pid ${running.pid})`, { hint: "Use `devrig ps` to see it, or `devrig stop` first" })
    }
    const opts = { only, noTraefik: args.traefik === false }
    if (args.detach) return runDetached(loaded, process.argv.slice(2))
    return runForeground(loaded, { ...opts, detached: false })
  },
})

async function startInRunning(loaded: LoadedConfig, names: string[]): Promise<number> {
  checkNames(loaded, names)
  const root = loaded.identity.root
  await controlRequest(root, "/start", { method: "POST", body: { services: names }, timeoutMs: 120_000 })
  const status = await controlRequest<ReturnType<Supervisor["status"]>>(root, "/status")
  const mine = (status?.components ?? []).filter((x) => names.includes(x.name))
  const failed = mine.filter((x) => x.state === "failed")
  for (const x of mine) println(`${x.state === "failed" ? c.red("✗") : c.green("✓")} ${x.name} ${x.state}${x.error ? ` — ${x.error}` : ""}`)
  return failed.length ? 2 : 0
}
