import { defineCommand } from "citty"
import { loadConfig, type LoadedConfig } from "../config/load.ts"
import { InputError } from "../errors.ts"
import { liveSupervisor } from "../services/recover.ts"
import { controlRequest } from "../services/control.ts"
import type { Supervisor } from "../services/supervisor.ts"
import { globalOptions } from "./context.ts"
import { c, println } from "./output.ts"
import { checkNames } from "./project-cmd.ts"
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
    const loaded = loadConfig({ file: globalOptions.file })
    const only = args._.map(String)
    const running = liveSupervisor(loaded.identity.root)
    // `devrig start api` while the project runs (e.g. after `devrig stop api`): the running
    // supervisor starts it (and what it needs) instead of refusing with "already running".
    if (running && only.length) return startInRunning(loaded, only)
    if (running) throw new InputError(`${loaded.identity.name} is already running (supervisor pid ${running.pid})`, { hint: "Use `devrig ps` to see it, or `devrig stop` first" })
    const mode = process.env.DEVRIG_SUPERVISOR
    const opts = { only, noTraefik: args.traefik === false }
    if (args.detach && mode !== "detached") return runDetached(loaded, process.argv.slice(2))
    return runForeground(loaded, { ...opts, detached: mode === "detached" })
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
