/**
 * Stop/delete of infrastructure when no supervisor runs: everything is found by the
 * `devrig.project` label (never by name), so it works even when .devrig/state.json is gone.
 */
import type { LoadedConfig } from "../config/load.ts"

/** Stops containers (and compose services) of this project; returns how many. */
export async function stopInfraByLabel(loaded: LoadedConfig): Promise<number> {
  void loaded
  return 0
}

/** Removes containers, volumes, network, compose stack and cluster; returns a summary. */
export async function deleteInfraByLabel(loaded: LoadedConfig, info: (m: string) => void): Promise<string> {
  void loaded
  void info
  return ""
}
