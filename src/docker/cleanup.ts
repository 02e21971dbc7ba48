/**
 * Finding devrig's resources by label, never by name: `delete` removes exactly what carries
 * devrig.project=<slug> (so a look-alike name from another project or the user survives), and
 * `ps --all` / port-collision messages read the same labels.
 */
import { LABEL_CONFIG, LABEL_PROJECT, LABEL_SERVICE } from "../project/identity.ts"
import { isNotFound, request } from "./client.ts"
import { inspectContainer, isAnonymousVolume, listContainers, removeContainer } from "./containers.ts"
import { disconnectNetwork, inspectNetwork, removeNetwork } from "./network.ts"
import { listVolumes, removeVolume } from "./volumes.ts"

export interface DeleteReport {
  containers: string[]
  volumes: string[]
  networks: string[]
}

interface NetworkListItem {
  Id: string
  Name: string
  Labels?: Record<string, string> | null
}

async function _networks(labelFilter: string[]): Promise<NetworkListItem[]> {
  return request<NetworkListItem[]>({ method: "GET", path: "/networks", query: { filters: { label: labelFilter } }, doing: "listing networks" })
}

/**
 * Removes every container, volume and network labelled devrig.project=<slug>, and the anonymous
 * volumes of those containers (they carry no label; one handed over from an older container when
 * a definition changed is not removed by the engine with the container, so it is done here).
 */
export async function deleteProjectResources(slug: string): Promise<DeleteReport> {
  const label = [`${LABEL_PROJECT}=${slug}`]
  const containers = await listContainers({ label })
  const mounted = await Promise.all(containers.map(async (c) => (await inspectContainer(c.id))?.volumes ?? []))
  const anonymous = new Set(mounted.flat().map((v) => v.name).filter(isAnonymousVolume))
  await Promise.all(containers.map((c) => removeContainer(c.id)))
  // Containers first: a volume or network still in use cannot be removed.
  const [volumes, networks] = await Promise.all([listVolumes(label), _networks(label)])
  await Promise.all(volumes.map((v) => removeVolume(v.name)))
  // Most went with their container already (404 is fine); one some other container uses stays.
  const gone = await Promise.all([...anonymous].map((v) => removeVolume(v).then(() => v, () => undefined)))
  for (const n of networks) {
    // Something else may have joined our network (a k3d node, a user's container): let it go
    // rather than fail the delete.
    const info = await inspectNetwork(n.Id)
    for (const id of Object.keys(info?.containers ?? {})) await disconnectNetwork(n.Id, id, true)
    await removeNetwork(n.Id)
  }
  return {
    containers: containers.map((c) => c.name),
    volumes: [...volumes.map((v) => v.name), ...gone.filter((v): v is string => !!v)],
    networks: networks.map((n) => n.Name),
  }
}

export interface ProjectResources {
  slug: string
  /** the devrig.toml path the resources were created for */
  configPath?: string
  containers: { name: string; service?: string; image: string; state: string }[]
  running: number
  volumes: string[]
  networks: string[]
}

/** Every devrig project on this machine with Docker resources, for `ps --all`. */
export async function listProjects(): Promise<ProjectResources[]> {
  const label = [LABEL_PROJECT]
  const [containers, volumes, networks] = await Promise.all([listContainers({ label }), listVolumes(label), _networks(label)])
  const bySlug = new Map<string, ProjectResources>()
  const get = (slug: string, labels: Record<string, string>) => {
    let p = bySlug.get(slug)
    if (!p) bySlug.set(slug, (p = { slug, containers: [], running: 0, volumes: [], networks: [] }))
    p.configPath ??= labels[LABEL_CONFIG]
    return p
  }
  for (const c of containers) {
    const p = get(c.labels[LABEL_PROJECT]!, c.labels)
    p.containers.push({ name: c.name, service: c.labels[LABEL_SERVICE], image: c.image, state: c.state })
    if (c.state === "running") p.running++
  }
  for (const v of volumes) get(v.labels[LABEL_PROJECT]!, v.labels).volumes.push(v.name)
  for (const n of networks) get(n.Labels?.[LABEL_PROJECT] ?? "", n.Labels ?? {}).networks.push(n.Name)
  return [...bySlug.values()].sort((a, b) => a.slug.localeCompare(b.slug))
}

export interface PortOwner {
  container: string
  /** set when the container is devrig's */
  project?: string
  service?: string
  configPath?: string
}

/** Which running container publishes host `port` (devrig's or not), for "port in use" messages. */
export async function portOwner(port: number, protocol: "tcp" | "udp" = "tcp"): Promise<PortOwner | undefined> {
  let running
  try {
    running = await listContainers({ publish: [`${port}/${protocol}`] }, false)
  } catch (e) {
    if (isNotFound(e)) return undefined
    throw e
  }
  // The publish filter also matches container-side ports: confirm the host side.
  const c = running.find((x) => x.ports.some((p) => p.publicPort === port && p.protocol === protocol))
  if (!c) return undefined
  return { container: c.name, project: c.labels[LABEL_PROJECT], service: c.labels[LABEL_SERVICE], configPath: c.labels[LABEL_CONFIG] }
}
