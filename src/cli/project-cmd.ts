/** Helpers shared by the commands that act on a (maybe running) project. */
import { basename, dirname } from "node:path"
import { inspectConfig, loadConfig, type LoadedConfig } from "../config/load.ts"
import { ConfigError } from "../config/problems.ts"
import { readLastGood, readState } from "../project/state.ts"
import { c, eprintln } from "./output.ts"
import { InputError } from "../errors.ts"
import { didYouMean } from "../config/problems.ts"
import { componentNames } from "../config/validate.ts"
import { ExternalError } from "../errors.ts"
import { controlRequest } from "../services/control.ts"
import { liveSupervisor, watchdogPids } from "../services/recover.ts"
import { markedProcesses, signalPid } from "../services/proc.ts"
import { isAlive } from "../platform/process.ts"
import { globalOptions } from "./context.ts"

export function project(): { loaded: LoadedConfig; supervisor?: { pid: number } } {
  try {
    const loaded = loadConfig({ file: globalOptions.file })
    return { loaded, supervisor: liveSupervisor(loaded.identity.root, loaded.identity.slug) }
  } catch (e) {
    // A broken edit must not lock the user out of the project that is running: use the config
    // the supervisor last accepted.
    if (!(e instanceof ConfigError)) throw e
    const root = dirname(e.file)
    const supervisor = liveSupervisor(root, readState(root).slug)
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

/**
 * Ends the project's supervisor and waits until it has exited (its shutdown ends its watchdog).
 * It is asked over the control socket; one that cannot be reached there (the socket was removed)
 * gets SIGTERM, which runs the same shutdown.
 */
export async function endSupervisor(root: string, pid: number): Promise<void> {
  const asked = await controlRequest(root, "/stop", { method: "POST", body: { services: [] }, timeoutMs: 120_000 }).catch(() => undefined)
  if (asked === undefined) signalPid(pid, "SIGTERM")
  if (!(await waitForExit(pid, 120_000))) signalPid(pid, "SIGKILL")
  await waitForExit(pid, 5000)
}

/**
 * After a stop: the watchdog (which cleans up after a supervisor that died) has finished, and
 * nothing of the project is alive. `stop` and `delete` never report success otherwise.
 */
export async function assertProjectEnded(loaded: LoadedConfig): Promise<void> {
  const { root, slug, configPath } = loaded.identity
  const deadline = Date.now() + 30_000
  while (watchdogPids(configPath).length && Date.now() < deadline) await Bun.sleep(25)
  for (const pid of watchdogPids(configPath)) signalPid(pid, "SIGKILL")
  const sup = liveSupervisor(root, slug)
  const left = [...(sup ? [sup.pid] : []), ...watchdogPids(configPath), ...markedProcesses(slug)]
  if (left.length) throw new ExternalError(`${loaded.identity.name}: processes still running after the stop: ${left.join(", ")}`, { hint: "Run the command again, or end them with `kill -9`" })
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true
    await Bun.sleep(50)
  }
  return !isAlive(pid)
}
