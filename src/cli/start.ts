import { defineCommand } from "citty"
import { loadConfig } from "../config/load.ts"
import { InputError } from "../errors.ts"
import { liveSupervisor } from "../services/recover.ts"
import { globalOptions } from "./context.ts"
import { runDetached } from "./start-detached.ts"
import { runForeground } from "./start-foreground.ts"

export default defineCommand({
  meta: { name: "start", description: "Start everything in devrig.toml, or the named services plus what they depend on" },
  args: {
    services: { type: "positional", required: false, description: "Services to start (default: all)" },
    detach: { type: "boolean", alias: "d", description: "Start in the background and return once everything is up" },
    "no-traefik": { type: "boolean", description: "Compose: scale a service named traefik to zero (--scale traefik=0)" },
  },
  async run({ args }) {
    const loaded = loadConfig({ file: globalOptions.file })
    const only = args._.map(String)
    const running = liveSupervisor(loaded.identity.root)
    if (running) throw new InputError(`${loaded.identity.name} is already running (supervisor pid ${running.pid})`, { hint: "Use `devrig ps` to see it, or `devrig stop` first" })
    const mode = process.env.DEVRIG_SUPERVISOR
    const opts = { only, noTraefik: !!args["no-traefik"] }
    if (args.detach && mode !== "detached") return runDetached(loaded, process.argv.slice(2))
    return runForeground(loaded, { ...opts, detached: mode === "detached" })
  },
})
