/**
 * Watches devrig.toml while devrig runs. A saved file is validated first: an invalid one is
 * reported and ignored (nothing stops); a valid one is diffed against the running config and only
 * what changed is restarted, started or stopped, with one log line saying so.
 */
import { watch, type FSWatcher } from "node:fs"
import { basename, dirname } from "node:path"
import { candidate, portRequests } from "../config/ports.ts"
import { inspectConfig, resolveWithPorts, type LoadedConfig } from "../config/load.ts"
import { isPortFree } from "../project/ports.ts"
import { updateState } from "../project/state.ts"
import { describeDiff, diffConfigs } from "./reload.ts"
import type { Supervisor } from "./supervisor.ts"

const DEBOUNCE_MS = 300

export function watchConfig(sup: Supervisor, info: (text: string) => void): { close(): void } {
  const path = sup.loaded.path
  let timer: Timer | undefined
  let chain = Promise.resolve()
  let watcher: FSWatcher | undefined
  const state = { broken: false }
  try {
    // The directory, not the file: editors replace the file on save (a new inode).
    watcher = watch(dirname(path), (_event, file) => {
      if (file !== basename(path)) return
      clearTimeout(timer)
      timer = setTimeout(() => (chain = chain.then(() => reload(sup, info, state)).catch((e) => info(`reload failed: ${(e as Error).message}`))), DEBOUNCE_MS)
    })
    // A watch that fails later (the folder removed, inotify limits) must not take the supervisor
    // down: say so once and keep running the current config.
    watcher.on("error", (e) => {
      info(`stopped watching ${basename(path)}: ${e.message}; restart devrig to pick up changes`)
      watcher?.close()
    })
  } catch (e) {
    info(`not watching ${basename(path)}: ${(e as Error).message}`)
  }
  return {
    close() {
      clearTimeout(timer)
      watcher?.close()
    },
  }
}

async function reload(sup: Supervisor, info: (text: string) => void, state: { broken: boolean }): Promise<void> {
  if (sup.phase === "stopping") return
  const { loaded, problems } = inspectConfig(sup.loaded.path)
  if (!loaded || problems.length) {
    state.broken = true
    info(`devrig.toml changed but has ${problems.length} problem${problems.length === 1 ? "" : "s"}; still running the previous config`)
    for (const p of problems) info(`  devrig.toml:${p.line}:${p.column}: ${p.message}`)
    return
  }
  if (state.broken) {
    // The confirmation that the fixed file was taken (also when it is back to what runs).
    state.broken = false
    info("devrig.toml is valid again: config reloaded")
    sup.telemetry.event("reload", "devrig", "devrig.toml is valid again: config reloaded")
  }
  if (loaded.source === sup.loaded.source) return
  const ports = await keepPorts(loaded, sup.assignedPorts())
  const resolved = resolveWithPorts(loaded, ports)
  const d = diffConfigs(sup.resolved, resolved, sup.extras())
  info(`devrig.toml changed: ${describeDiff(d)}`)
  await sup.applyReload(loaded, resolved, d, ports)
  updateState(loaded.identity.root, (s) => {
    for (const r of portRequests(loaded)) if (r.port === "auto") s.autoPorts[r.key] = ports[r.key]!
  })
}

/** Running components keep their ports; only new auto ports are probed. */
async function keepPorts(loaded: LoadedConfig, current: Record<string, number>): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  const fresh: string[] = []
  for (const r of portRequests(loaded)) {
    if (r.port !== "auto") out[r.key] = r.port
    else if (current[r.key]) out[r.key] = current[r.key]!
    else fresh.push(r.key)
  }
  const taken = new Set(Object.values(out))
  for (const key of fresh)
    for (let n = 0; n < 2000; n++) {
      const c = candidate(loaded.identity.slug, key, n)
      if (!taken.has(c) && (await isPortFree(c))) {
        out[key] = c
        taken.add(c)
        break
      }
    }
  return out
}

