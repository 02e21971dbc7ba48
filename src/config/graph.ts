import { makeGraph } from "../graph/dag.ts"
import type { ResolvedConfig } from "./resolved.ts"

/** Dependency graph of every component in the resolved config. */
export function resolvedGraph(cfg: ResolvedConfig) {
  const entries: [string, string[]][] = []
  for (const s of Object.values(cfg.services)) entries.push([s.name, s.dependsOn])
  for (const d of Object.values(cfg.docker)) entries.push([d.name, d.dependsOn])
  for (const s of cfg.compose?.services ?? []) entries.push([s, []])
  for (const d of Object.values(cfg.cluster?.deploy ?? {})) entries.push([d.name, d.dependsOn])
  for (const a of Object.values(cfg.cluster?.addons ?? {})) entries.push([a.name, a.depends_on ?? []])
  return makeGraph(entries)
}
