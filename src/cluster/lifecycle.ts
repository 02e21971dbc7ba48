/**
 * The cluster's life: create it (and its registry) when missing, start it when stopped, fetch
 * its kubeconfig, and remove all of it again. k3d is asked every time; nothing here trusts state.
 */
import { createServer } from "node:net"
import { InputError } from "../errors.ts"
import type { ResolvedConfig } from "../config/resolved.ts"
import { names } from "../project/identity.ts"
import { k3d } from "./argv.ts"
import { run, runOk } from "./exec.ts"
import { ensureKubeconfigFile, fetchKubeconfig, kubeEnv, removeKubeconfig } from "./kubeconfig.ts"
import { findTool, requireTool } from "./tools.ts"

/** "unavailable": k3d is not installed, so the state cannot be known. */
export type ClusterState = "running" | "stopped" | "missing" | "unavailable"

export interface RegistryRef {
  /** container name, "k3d-devrig-{slug}-registry" */
  container: string
  hostPort: number
  /** where the host pushes: Docker treats localhost registries as insecure-allowed */
  pushPrefix: string
  /** what pods pull: k3d writes a containerd mirror for exactly this host:port */
  pullPrefix: string
}

export interface ClusterHandle {
  /** k3d cluster name, devrig-{slug} */
  name: string
  kubeconfig: string
  registry?: RegistryRef
}

export type Log = (line: string) => void

interface K3dNode {
  name?: string
  role?: string
  State?: { Running?: boolean }
  portMappings?: Record<string, { HostIp?: string; HostPort?: string }[] | null>
}

/** `k3d cluster list -o json` → the state of one cluster. */
export function parseClusterState(json: string, name: string): Exclude<ClusterState, "unavailable"> {
  const list = _parseArray(json) as { name?: string; nodes?: K3dNode[]; serversRunning?: number }[]
  const cluster = list.find((c) => c.name === name)
  if (!cluster) return "missing"
  const servers = (cluster.nodes ?? []).filter((n) => n.role === "server")
  const running = servers.some((n) => n.State?.Running) || (cluster.serversRunning ?? 0) > 0
  return running ? "running" : "stopped"
}

/** `k3d registry list -o json` → the registry's host port, if it exists. */
export function parseRegistry(json: string, container: string): RegistryRef | undefined {
  const node = (_parseArray(json) as K3dNode[]).find((n) => n.name === container)
  if (!node) return undefined
  const bindings = Object.values(node.portMappings ?? {}).flatMap((b) => b ?? [])
  const hostPort = Number(bindings.find((b) => b.HostPort)?.HostPort)
  if (!Number.isInteger(hostPort) || hostPort <= 0) return undefined
  return registryRef(container, hostPort)
}

export function registryRef(container: string, hostPort: number): RegistryRef {
  return { container, hostPort, pushPrefix: `localhost:${hostPort}`, pullPrefix: `${container}:${hostPort}` }
}

/** k3d names a registry container "k3d-" + the name it was created with. */
export function registryContainer(slug: string): string {
  return `k3d-${names.registry(slug)}`
}

function _parseArray(json: string): unknown[] {
  const trimmed = json.trim()
  if (!trimmed) return []
  const v = JSON.parse(trimmed) as unknown
  return Array.isArray(v) ? v : []
}

function _requireCluster(cfg: ResolvedConfig) {
  if (!cfg.cluster) throw new InputError("this project has no [cluster] section in devrig.toml")
  return cfg.cluster
}

export async function clusterStatus(cfg: ResolvedConfig): Promise<ClusterState> {
  if (!findTool("k3d")) return "unavailable"
  const { stdout } = await runOk(k3d.clusterList(), { env: kubeEnv(cfg.identity.root), timeoutMs: 30_000 })
  return parseClusterState(stdout, names.cluster(cfg.identity.slug))
}

export async function findRegistry(cfg: ResolvedConfig): Promise<RegistryRef | undefined> {
  const { stdout } = await runOk(k3d.registryList(), { env: kubeEnv(cfg.identity.root), timeoutMs: 30_000 })
  return parseRegistry(stdout, registryContainer(cfg.identity.slug))
}

/**
 * Create (or start) the cluster and write .devrig/kubeconfig. The Docker network
 * devrig-{slug}-net must already exist: k3d joins an existing network and leaves it alone on
 * delete, but would create and later delete one it made itself.
 */
export async function ensureCluster(cfg: ResolvedConfig, log: Log = () => {}): Promise<ClusterHandle> {
  const cluster = _requireCluster(cfg)
  const { slug, root } = cfg.identity
  const name = names.cluster(slug)
  requireTool("k3d", "for [cluster]")
  const env = kubeEnv(root)
  const registry = cluster.registry ? await _ensureRegistry(cfg, log) : undefined
  const state = await clusterStatus(cfg)
  if (state === "missing") {
    log(`creating k3d cluster ${name}`)
    await runOk(
      k3d.clusterCreate({
        name,
        slug,
        agents: cluster.agents,
        ports: cluster.ports,
        network: names.network(slug),
        registryUse: registry ? registry.pullPrefix : undefined,
      }),
      { env, timeoutMs: 300_000 },
    )
  } else if (state === "stopped") {
    log(`starting k3d cluster ${name}`)
    await runOk(k3d.clusterStart(name), { env, timeoutMs: 300_000 })
  }
  const kubeconfig = await fetchKubeconfig(root, name)
  return { name, kubeconfig, registry }
}

async function _ensureRegistry(cfg: ResolvedConfig, log: Log): Promise<RegistryRef> {
  const existing = await findRegistry(cfg)
  if (existing) return existing
  const port = await freePort()
  const container = registryContainer(cfg.identity.slug)
  log(`creating registry ${container} on localhost:${port}`)
  await runOk(k3d.registryCreate(names.registry(cfg.identity.slug), port), { env: kubeEnv(cfg.identity.root), timeoutMs: 120_000 })
  return (await findRegistry(cfg)) ?? registryRef(container, port)
}

/**
 * Remove the cluster, its registry and the kubeconfig. Addons and deployments go with the
 * cluster. Idempotent: a missing cluster or registry is not an error.
 */
export async function deleteCluster(cfg: ResolvedConfig, log: Log = () => {}): Promise<void> {
  const { slug, root } = cfg.identity
  const name = names.cluster(slug)
  if (findTool("k3d")) {
    const env = kubeEnv(root)
    if ((await clusterStatus(cfg)) !== "missing") {
      log(`deleting k3d cluster ${name}`)
      ensureKubeconfigFile(root)
      await runOk(k3d.clusterDelete(name), { env, timeoutMs: 300_000 })
    }
    const registry = await findRegistry(cfg)
    if (registry) {
      log(`deleting registry ${registry.container}`)
      const res = await run(k3d.registryDelete(registry.container), { env, timeoutMs: 120_000 })
      if (res.code !== 0 && (await findRegistry(cfg))) await runOk(k3d.registryDelete(registry.container), { env })
    }
  }
  removeKubeconfig(root)
}

/** A port the kernel just handed out on loopback; the registry binds it right after. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}
