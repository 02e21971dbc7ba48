/**
 * Stop/delete of infrastructure when no supervisor runs: everything is found by the
 * `devrig.project` label (never by name), so it works even when .devrig/state.json is gone.
 * A project without [docker.*] doesn't need Docker: an unreachable engine is then skipped.
 */
import type { LoadedConfig } from "../config/load.ts"
import { DockerUnavailableError } from "../docker/client.ts"
import { assignPorts } from "../config/ports.ts"
import { resolveWithPorts } from "../config/load.ts"
import type { ResolvedConfig } from "../config/resolved.ts"
import { names, type Identity } from "../project/identity.ts"
import { readState } from "../project/state.ts"
import { pidsWithArg } from "../platform/process.ts"
import { markedProcesses } from "./proc.ts"

const needsDocker = (loaded: LoadedConfig) => Object.keys(loaded.config.docker ?? {}).length > 0 || !!loaded.config.compose

async function tolerant<T>(loaded: LoadedConfig, fallback: T, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof DockerUnavailableError && !needsDocker(loaded)) return fallback
    throw e
  }
}

/** Stops containers (and compose services) of this project; returns how many. */
export async function stopInfraByLabel(loaded: LoadedConfig): Promise<number> {
  return tolerant(loaded, 0, async () => {
    const { stopContainers } = await import("../docker/phase.ts")
    const { listContainers } = await import("../docker/containers.ts")
    const running = await listContainers({ label: [`devrig.project=${loaded.identity.slug}`] }, false)
    if (!running.length) return 0
    await stopContainers(loaded.identity.slug)
    return running.length
  })
}

/**
 * Removes the compose stack (`down -v --remove-orphans`), the cluster (with its registry and
 * kubeconfig), then every container, volume and network labelled with this project's slug.
 * Returns a summary ("2 containers, 1 volume").
 */
export async function deleteInfraByLabel(loaded: LoadedConfig, info: (m: string) => void): Promise<string> {
  const { ports } = assignPorts(loaded, readState(loaded.identity.root), false)
  const cfg = resolveWithPorts(loaded, ports)
  if (cfg.compose) {
    const { deleteComposeStack } = await import("../compose/stack.ts")
    await deleteComposeStack({ identity: cfg.identity, compose: cfg.compose })
    info("removed the compose stack")
  }
  if (cfg.cluster) {
    const { deleteCluster } = await import("../cluster/lifecycle.ts")
    await deleteCluster(cfg, info)
  }
  return tolerant(loaded, "", async () => {
    const { deleteProject } = await import("../docker/phase.ts")
    const report = await deleteProject(loaded.identity.slug)
    const n = (k: number, w: string) => (k ? `${k} ${w}${k === 1 ? "" : "s"}` : "")
    const parts = [n(report.containers.length, "container"), n(report.volumes.length, "volume"), n(report.networks.length, "network")].filter(Boolean)
    if (parts.length) info(`removed ${parts.join(", ")}`)
    return parts.join(", ")
  })
}

/** "devrig-myapp-1234abcd-postgres" for a port published by a container, for collision messages. */
export async function dockerPortOwner(loaded: LoadedConfig, port: number): Promise<string | undefined> {
  return tolerant(loaded, undefined, async () => {
    const { portOwner } = await import("../docker/cleanup.ts")
    const o = await portOwner(port)
    return o ? o.container + (o.project && o.configPath ? `, devrig project ${o.project}` : "") : undefined
  })
}

/**
 * What of a run is still alive: processes with its run marker, a Compose process of its project,
 * running containers (own or Compose's). Empty once a shutdown really stopped everything.
 */
export async function runLeftovers(ident: Identity, resolved: ResolvedConfig | undefined): Promise<string[]> {
  const out = markedProcesses(ident.slug).map((pid) => `process ${pid}`)
  const composeProject = names.composeProject(ident.slug)
  if (resolved?.compose) for (const pid of pidsWithArg(composeProject)) out.push(`compose process ${pid}`)
  if (resolved && (Object.keys(resolved.docker).length || resolved.compose)) {
    try {
      const { listContainers } = await import("../docker/containers.ts")
      const own = await listContainers({ label: [`devrig.project=${ident.slug}`] }, false)
      const compose = resolved.compose ? await listContainers({ label: [`com.docker.compose.project=${composeProject}`] }, false) : []
      for (const c of [...own, ...compose]) out.push(`container ${c.name}`)
    } catch {
      // Docker unreachable: nothing of ours can be running there either.
    }
  }
  return [...new Set(out)]
}
