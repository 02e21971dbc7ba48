/**
 * The per-project bridge network `devrig-{slug}-net`. Containers join it under their config name,
 * so they reach each other as `postgres:5432` whatever their container names are.
 */
import { ExternalError } from "../errors.ts"
import { LABEL_PROJECT, labels, names, type Identity } from "../project/identity.ts"
import { DockerEngineError, isNotFound, request } from "./client.ts"

export interface NetworkInfo {
  id: string
  name: string
  labels: Record<string, string>
  /** container id → IPv4 address (without the prefix length) */
  containers: Record<string, { name: string; ip: string }>
}

interface NetworkInspect {
  Id: string
  Name: string
  Labels?: Record<string, string> | null
  Containers?: Record<string, { Name: string; IPv4Address: string }> | null
}

export async function inspectNetwork(nameOrId: string): Promise<NetworkInfo | undefined> {
  try {
    const n = await request<NetworkInspect>({ method: "GET", path: `/networks/${nameOrId}`, doing: `inspecting network ${nameOrId}` })
    const containers: NetworkInfo["containers"] = {}
    for (const [id, c] of Object.entries(n.Containers ?? {})) containers[id] = { name: c.Name, ip: c.IPv4Address.split("/")[0] ?? "" }
    return { id: n.Id, name: n.Name, labels: n.Labels ?? {}, containers }
  } catch (e) {
    if (isNotFound(e)) return undefined
    throw e
  }
}

/** Creates the project network, or reuses it. Returns its name. */
export async function ensureNetwork(ident: Identity): Promise<string> {
  const name = names.network(ident.slug)
  const existing = await inspectNetwork(name)
  if (existing) return _ours(existing, ident.slug)
  try {
    await request({
      method: "POST",
      path: "/networks/create",
      body: { Name: name, Driver: "bridge", CheckDuplicate: true, Labels: labels(ident) },
      doing: `creating network ${name}`,
    })
  } catch (e) {
    // Another devrig for the same project raced us: theirs is as good as ours.
    if (!(e instanceof DockerEngineError && e.status === 409)) throw e
    const raced = await inspectNetwork(name)
    if (!raced) throw e
    return _ours(raced, ident.slug)
  }
  return name
}

function _ours(n: NetworkInfo, slug: string): string {
  if (n.labels[LABEL_PROJECT] !== slug) {
    throw new ExternalError(`A Docker network named ${n.name} exists but was not created by this devrig project`, {
      hint: `Remove it (docker network rm ${n.name}) or rename the project`,
    })
  }
  return n.name
}

export async function connectNetwork(network: string, container: string, aliases: string[] = []): Promise<void> {
  try {
    await request({
      method: "POST",
      path: `/networks/${network}/connect`,
      body: { Container: container, EndpointConfig: { Aliases: aliases } },
      doing: `connecting ${container} to network ${network}`,
    })
  } catch (e) {
    // Already connected is the state we wanted.
    if (e instanceof DockerEngineError && e.status === 403 && /already exists/.test(e.engineMessage)) return
    throw e
  }
}

export async function disconnectNetwork(network: string, container: string, force = true): Promise<void> {
  try {
    await request({
      method: "POST",
      path: `/networks/${network}/disconnect`,
      body: { Container: container, Force: force },
      doing: `disconnecting ${container} from network ${network}`,
    })
  } catch (e) {
    if (isNotFound(e)) return
    throw e
  }
}

export async function removeNetwork(nameOrId: string): Promise<void> {
  try {
    await request({ method: "DELETE", path: `/networks/${nameOrId}`, doing: `removing network ${nameOrId}` })
  } catch (e) {
    if (isNotFound(e)) return
    throw e
  }
}
