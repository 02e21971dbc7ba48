/** Helpers shared by the commands that act on a (maybe running) project. */
import { loadConfig, type LoadedConfig } from "../config/load.ts"
import { InputError } from "../errors.ts"
import { didYouMean } from "../config/problems.ts"
import { componentNames } from "../config/validate.ts"
import { liveSupervisor } from "../services/recover.ts"
import { isAlive } from "../services/proc.ts"
import { globalOptions } from "./context.ts"

export function project(): { loaded: LoadedConfig; supervisor?: { pid: number } } {
  const loaded = loadConfig({ file: globalOptions.file })
  return { loaded, supervisor: liveSupervisor(loaded.identity.root) }
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
