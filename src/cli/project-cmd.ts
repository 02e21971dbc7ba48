/** Helpers shared by the commands that act on a (maybe running) project. */
import { basename, dirname } from "node:path"
import { inspectConfig, loadConfig, type LoadedConfig } from "../config/load.ts"
import { ConfigError } from "../config/problems.ts"
import { readLastGood } from "../project/state.ts"
import { c, eprintln } from "./output.ts"
import { InputError } from "../errors.ts"
import { didYouMean } from "../config/problems.ts"
import { componentNames } from "../config/validate.ts"
import { liveSupervisor } from "../services/recover.ts"
import { isAlive } from "../platform/process.ts"
import { globalOptions } from "./context.ts"

export function project(): { loaded: LoadedConfig; supervisor?: { pid: number } } {
  try {
    const loaded = loadConfig({ file: globalOptions.file })
    return { loaded, supervisor: liveSupervisor(loaded.identity.root) }
  } catch (e) {
    // A broken edit must not lock the user out of the project that is running: use the config
    // the supervisor last accepted.
    if (!(e instanceof ConfigError)) throw e
    const root = dirname(e.file)
    const supervisor = liveSupervisor(root)
    const last = supervisor ? readLastGood(root) : undefined
    const { loaded, problems } = last !== undefined ? inspectConfig(e.file, last) : { loaded: undefined, problems: [] }
    if (!supervisor || !loaded || problems.length) throw e
    eprintln(`${c.yellow("!")} ${basename(e.file)} has problems (run \`devrig validate\`); using the config the running devrig accepted`)
    return { loaded, supervisor }
  }
}

/** Unknown names are an input error that lists the known ones. */
export function checkNames(loaded: LoadedConfig, names: string[], kinds: "services" | "all" = "all"): void {
  const known = kinds === "services" ? Object.keys(loaded.config.services ?? {}) : [...componentNames(loaded.config, loaded.ctx)]
  for (const n of names)
    if (!known.includes(n)) throw new InputError(`unknown ${kinds === "services" ? "service" : "component"} \`${n}\`${didYouMean(n, known)}`, { hint: `Known: ${known.join(", ") || "(none)"}` })
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true
    await Bun.sleep(50)
  }
  return !isAlive(pid)
}
