/**
 * The watchdog: a tiny detached process started with every supervisor. If the supervisor dies
 * without its clean shutdown (SIGKILL, OOM killer), the watchdog ends what it left behind —
 * process groups, marked stragglers, the project's containers — within about a second, instead
 * of waiting for the next devrig command. A clean shutdown removes the supervisor record from
 * state, and the watchdog then simply exits.
 */
import { identity, type Identity } from "../project/identity.ts"
import { readState } from "../project/state.ts"
import { markStopped } from "../project/registry.ts"
import { isAlive, pidsWithArg } from "../platform/process.ts"
import { signalPid } from "./proc.ts"
import { recoverOrphans } from "./recover.ts"
import { selfCommand } from "../platform/self.ts"

const POLL_MS = 500

/** Starts the watchdog for the current process (the supervisor), which ends it on a clean shutdown. */
export function spawnWatchdog(ident: Identity, supervisor: { pid: number; startTime: number }): { pid: number; exited: Promise<unknown> } | undefined {
  try {
    const proc = Bun.spawn([...selfCommand(), "__watchdog", ident.configPath, ident.name, String(supervisor.pid), String(supervisor.startTime)], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
      detached: true,
    })
    proc.unref()
    return { pid: proc.pid, exited: proc.exited }
  } catch {
    // Without a watchdog the next start/stop/delete still cleans up; never fail a start for it.
  }
}

export async function runWatchdog(args: string[]): Promise<number> {
  const [configPath, name, pidText, startText] = args
  const pid = Number(pidText)
  const startTime = Number(startText)
  if (!configPath || !name || !pid) return 1
  const { root, slug } = identity(name, configPath)
  while (isAlive(pid, startTime)) await Bun.sleep(POLL_MS)
  const recorded = readState(root).supervisor
  if (!recorded || recorded.pid !== pid) return 0 // clean shutdown (or a newer supervisor)
  // Processes, then containers: stopped as `devrig stop` does, never removed — a database without
  // a named volume keeps its data in the container's anonymous volume, and the next start reuses
  // the container. Only `devrig delete` removes containers and volumes.
  await recoverOrphans(root, slug, () => {})
  await stopCompose(configPath, slug)
  markStopped(slug)
  return 0
}

/** A foreground Compose runs in its own process group: end it, then stop its containers. */
async function stopCompose(configPath: string, slug: string): Promise<void> {
  const project = `devrig-${slug}`
  for (const pid of pidsWithArg(project)) signalPid(pid, "SIGTERM")
  try {
    const { loadProject } = await import("../config/load.ts")
    const { config } = await loadProject({ file: configPath })
    if (!config.compose) return
    const { stopComposeStack } = await import("../compose/stack.ts")
    await stopComposeStack({ identity: config.identity, compose: config.compose })
  } catch {
    // An unreadable config or no Compose: nothing more to do.
  }
}
