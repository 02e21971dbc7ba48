/**
 * Containers made from a ResolvedContainer. A container carries a hash of the definition it was
 * made from (label devrig.hash): an unchanged definition reuses the container (fast restarts, and
 * the data in its writable layer survives), a changed one recreates it — handing the old
 * container's anonymous volumes (an image's VOLUME, e.g. a database's data directory) to the new
 * one, as Compose does. Only `devrig delete` removes volumes.
 */
import { createHash } from "node:crypto"
import type { PublishedPort, ResolvedContainer } from "../config/resolved.ts"
import { ExternalError, InputError } from "../errors.ts"
import { LABEL_HASH, LABEL_PROJECT, labels, names, type Identity } from "../project/identity.ts"
import { DockerEngineError, isNotFound, request } from "./client.ts"
import type { ImageInfo } from "./images.ts"

export interface Port {
  host: number
  container: number
  protocol: "tcp" | "udp"
}

/** Ports as they are published, with the container side filled in from the image when needed. */
export interface EffectivePorts {
  main?: Port
  named: Record<string, Port>
}

export interface ContainerSpec {
  name: string
  hash: string
  ports: EffectivePorts
  body: Record<string, unknown>
}

function _containerPort(c: ResolvedContainer, pp: PublishedPort, image: ImageInfo, key?: string): number {
  if (pp.container) return pp.container
  const exposed = image.exposedPorts.filter((p) => p.endsWith(`/${pp.protocol}`)).map((p) => Number.parseInt(p, 10))
  if (exposed.length === 1) return exposed[0]!
  if (exposed.includes(pp.host)) return pp.host
  const fix = key ? `write ports.${key} = "${pp.host}:<container port>"` : "set container_port"
  throw new InputError(
    exposed.length
      ? `[docker.${c.name}] image ${c.image} exposes several ports (${exposed.join(", ")}): ${fix} to choose one`
      : `[docker.${c.name}] image ${c.image} exposes no ${pp.protocol} port: ${fix}`,
  )
}

export function effectivePorts(c: ResolvedContainer, image: ImageInfo): EffectivePorts {
  const port = (pp: PublishedPort, key?: string): Port => ({ host: pp.host, container: _containerPort(c, pp, image, key), protocol: pp.protocol })
  const named: Record<string, Port> = {}
  for (const [k, pp] of Object.entries(c.ports)) named[k] = port(pp, k)
  return { main: c.port && port(c.port), named }
}

/** Volume sources may arrive as the config's short name or already as `devrig-{slug}-{name}`. */
export function volumeName(slug: string, source: string): string {
  return source.startsWith(`devrig-${slug}-`) ? source : names.volume(slug, source)
}

function _stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(_stable)
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, _stable(x)]),
    )
  }
  return v
}

/**
 * `host.docker.internal` reaches the host from every container, on Linux too (Docker Desktop
 * provides the name itself; elsewhere the engine maps `host-gateway` to the bridge gateway).
 */
export const EXTRA_HOSTS = ["host.docker.internal:host-gateway"]

/** Everything that shapes the container, nothing that only shapes devrig's handling of it. */
export function definitionHash(c: ResolvedContainer, imageId: string, ports: EffectivePorts, network: string): string {
  const def = {
    image: c.image,
    imageId,
    ports,
    bind: c.bind,
    env: c.env,
    volumes: c.volumes,
    command: c.command,
    entrypoint: c.entrypoint,
    user: c.user,
    stopTimeoutMs: c.stopTimeoutMs,
    network,
    extraHosts: EXTRA_HOSTS,
  }
  return createHash("sha256").update(JSON.stringify(_stable(def))).digest("hex").slice(0, 16)
}

export function containerSpec(ident: Identity, c: ResolvedContainer, image: ImageInfo, network: string): ContainerSpec {
  const ports = effectivePorts(c, image)
  const hash = definitionHash(c, image.id, ports, network)
  const exposed: Record<string, object> = {}
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {}
  for (const p of [ports.main, ...Object.values(ports.named)]) {
    if (!p) continue
    const key = `${p.container}/${p.protocol}`
    exposed[key] = {}
    ;(bindings[key] ??= []).push({ HostIp: c.bind, HostPort: String(p.host) })
  }
  const mounts = c.volumes.map((v) =>
    v.type === "volume"
      ? { Type: "volume", Source: volumeName(ident.slug, v.source), Target: v.target, ReadOnly: v.readOnly }
      : { Type: "bind", Source: v.source, Target: v.target, ReadOnly: v.readOnly },
  )
  const body = {
    Image: c.image,
    Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
    Cmd: c.command,
    Entrypoint: c.entrypoint,
    User: c.user,
    Labels: { ...labels(ident, c.name), [LABEL_HASH]: hash },
    ExposedPorts: exposed,
    // The engine's own grace period, so a `docker stop` outside devrig behaves the same.
    StopTimeout: Math.max(1, Math.ceil(c.stopTimeoutMs / 1000)),
    HostConfig: {
      PortBindings: bindings,
      Mounts: mounts,
      ExtraHosts: EXTRA_HOSTS,
      // A shell or busybox as PID 1 ignores SIGTERM; an init forwards it and reaps zombies.
      Init: true,
      NetworkMode: network,
      RestartPolicy: { Name: "no" },
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [c.name] } } },
  }
  return { name: names.container(ident.slug, c.name), hash, ports, body }
}

export interface ContainerInfo {
  id: string
  name: string
  image: string
  imageId: string
  labels: Record<string, string>
  running: boolean
  /** "created", "running", "exited", … */
  status: string
  exitCode: number
  /** RFC 3339 with nanoseconds: the start of the current (or last) run */
  startedAt: string
  /**
   * Where this run's output begins: the end of the previous run (undefined for a first run).
   * Not `startedAt`: the engine records that after the process may already have written lines.
   */
  runLogsSince?: string
  /** network name → IPv4 address */
  ips: Record<string, string>
  /** volumes mounted into the container (named and anonymous; bind mounts are not listed) */
  volumes: MountedVolume[]
}

export interface MountedVolume {
  name: string
  target: string
}

/**
 * An anonymous volume: one the engine made for an image's VOLUME (or an unnamed `-v /path`),
 * named by a random 64-hex id. devrig's own volumes are always named `devrig-{slug}-{name}`.
 */
export function isAnonymousVolume(name: string): boolean {
  return /^[0-9a-f]{64}$/.test(name)
}

interface ContainerInspect {
  Id: string
  Name: string
  Image: string
  Config: { Image: string; Labels?: Record<string, string> | null }
  State: { Running: boolean; Status: string; ExitCode: number; StartedAt: string; FinishedAt: string }
  NetworkSettings?: { Networks?: Record<string, { IPAddress: string }> | null }
  Mounts?: { Type: string; Name?: string; Destination: string }[] | null
}

export async function inspectContainer(nameOrId: string): Promise<ContainerInfo | undefined> {
  try {
    const c = await request<ContainerInspect>({ method: "GET", path: `/containers/${nameOrId}/json`, doing: `inspecting container ${nameOrId}` })
    const ips: Record<string, string> = {}
    for (const [n, net] of Object.entries(c.NetworkSettings?.Networks ?? {})) if (net.IPAddress) ips[n] = net.IPAddress
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ""),
      image: c.Config.Image,
      imageId: c.Image,
      labels: c.Config.Labels ?? {},
      running: c.State.Running,
      status: c.State.Status,
      exitCode: c.State.ExitCode,
      startedAt: c.State.StartedAt,
      runLogsSince: c.State.FinishedAt && !c.State.FinishedAt.startsWith("0001-") ? c.State.FinishedAt : undefined,
      ips,
      volumes: (c.Mounts ?? []).filter((m) => m.Type === "volume" && m.Name).map((m) => ({ name: m.Name!, target: m.Destination })),
    }
  } catch (e) {
    if (isNotFound(e)) return undefined
    throw e
  }
}

export interface EnsuredContainer {
  id: string
  name: string
  /** false when an existing container with the same definition hash was reused */
  created: boolean
  /** it was running before this call (a reused container) */
  wasRunning: boolean
  ports: EffectivePorts
  /**
   * Anonymous volumes of the replaced container that the new definition mounts something else
   * over: no longer used, yet kept (as Compose keeps them) — only the user may throw data away.
   */
  dropped?: MountedVolume[]
}

/**
 * Reuses the container when its definition is unchanged, recreates it otherwise. Does not start it.
 * A recreated container gets the old one's anonymous volumes at the same paths (unless the new
 * definition mounts something else there), so a changed env var never costs a database its data.
 */
export async function ensureContainer(ident: Identity, c: ResolvedContainer, image: ImageInfo, network: string): Promise<EnsuredContainer> {
  const spec = containerSpec(ident, c, image, network)
  const existing = await inspectContainer(spec.name)
  let dropped: MountedVolume[] = []
  if (existing) {
    if (existing.labels[LABEL_PROJECT] !== ident.slug) {
      throw new ExternalError(`A container named ${spec.name} exists but was not created by this devrig project`, {
        hint: `Remove it (docker rm -f ${spec.name}) or rename the project`,
      })
    }
    if (existing.labels[LABEL_HASH] === spec.hash) {
      return { id: existing.id, name: spec.name, created: false, wasRunning: existing.running, ports: spec.ports }
    }
    dropped = _inheritVolumes(spec, existing.volumes)
    // Its own grace period first (a database flushes), as Compose does before a recreate.
    if (existing.running) await stopContainer(existing.id, undefined, spec.name)
    await removeContainer(existing.id, { keepVolumes: true })
  }
  const created = await _create(spec, c.image)
  return { id: created.Id, name: spec.name, created: true, wasRunning: false, ports: spec.ports, dropped }
}

async function _create(spec: ContainerSpec, image: string): Promise<{ Id: string }> {
  const create = (body: Record<string, unknown>) =>
    request<{ Id: string }>({ method: "POST", path: "/containers/create", query: { name: spec.name }, body, doing: `creating container ${spec.name} from ${image}` })
  try {
    return await create(spec.body)
  } catch (e) {
    // Engines before Docker 20.10 (and older Podman) do not know `host-gateway`: the container
    // then goes without host.docker.internal rather than not at all.
    if (!(e instanceof DockerEngineError && e.status === 400 && /host-gateway/.test(e.engineMessage))) throw e
    const { ExtraHosts: _, ...hostConfig } = spec.body.HostConfig as Record<string, unknown>
    return create({ ...spec.body, HostConfig: hostConfig })
  }
}

/** Adds the old container's anonymous volumes to `spec`'s mounts; returns those it cannot take. */
function _inheritVolumes(spec: ContainerSpec, old: MountedVolume[]): MountedVolume[] {
  const host = spec.body.HostConfig as { Mounts: { Type: string; Source: string; Target: string }[] }
  const taken = new Set(host.Mounts.map((m) => m.Target))
  const dropped: MountedVolume[] = []
  for (const v of old) {
    if (!isAnonymousVolume(v.name)) continue
    if (taken.has(v.target)) dropped.push(v)
    else host.Mounts.push({ Type: "volume", Source: v.name, Target: v.target })
  }
  return dropped
}

export async function startContainer(id: string, what = id): Promise<void> {
  // 304: already running.
  await request({ method: "POST", path: `/containers/${id}/start`, ok: [204, 304], doing: `starting container ${what}` })
}

/**
 * Stops (SIGTERM, then SIGKILL after `timeoutMs`, default: the container's own StopTimeout).
 * A missing or stopped container is fine.
 */
export async function stopContainer(id: string, timeoutMs?: number, what = id): Promise<void> {
  try {
    await request({
      method: "POST",
      path: `/containers/${id}/stop`,
      query: { t: timeoutMs === undefined ? undefined : Math.max(0, Math.ceil(timeoutMs / 1000)) },
      ok: [204, 304],
      doing: `stopping container ${what}`,
    })
  } catch (e) {
    if (isNotFound(e)) return
    throw e
  }
}

/**
 * Force-removes the container and the anonymous volumes the engine made for it (named volumes
 * stay), or none with `keepVolumes`. Volumes handed over from an older container count as named
 * for the engine: `devrig delete` removes those itself.
 */
export async function removeContainer(id: string, o: { keepVolumes?: boolean } = {}): Promise<void> {
  try {
    await request({ method: "DELETE", path: `/containers/${id}`, query: { force: true, v: !o.keepVolumes }, doing: `removing container ${id}` })
  } catch (e) {
    if (isNotFound(e)) return
    // 409 "removal already in progress": someone else is doing our job.
    if (e instanceof DockerEngineError && e.status === 409 && /in progress/.test(e.engineMessage)) return
    throw e
  }
}

export interface ContainerSummary {
  id: string
  name: string
  image: string
  labels: Record<string, string>
  /** "running", "exited", "created", … */
  state: string
  ports: { ip?: string; privatePort: number; publicPort?: number; protocol: string }[]
}

interface ContainerListItem {
  Id: string
  Names: string[]
  Image: string
  Labels?: Record<string, string> | null
  State: string
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] | null
}

/** Containers (stopped ones too) matching engine filters, e.g. `{ label: ["devrig.project=x"] }`. */
export async function listContainers(filters: Record<string, string[]>, all = true): Promise<ContainerSummary[]> {
  const list = await request<ContainerListItem[]>({ method: "GET", path: "/containers/json", query: { all, filters }, doing: "listing containers" })
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? "").replace(/^\//, ""),
    image: c.Image,
    labels: c.Labels ?? {},
    state: c.State,
    ports: (c.Ports ?? []).map((p) => ({ ip: p.IP, privatePort: p.PrivatePort, publicPort: p.PublicPort, protocol: p.Type })),
  }))
}
