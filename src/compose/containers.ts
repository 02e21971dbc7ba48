/**
 * The Compose project's containers as the engine sees them, found by Compose's own labels (so a
 * stack started by hand with the same project name is found too). Engine access goes through
 * src/docker/ only.
 */
import type { ResolvedContainer } from "../config/resolved.ts"
import type { ReadyCheck } from "../config/schema.ts"
import { request } from "../docker/client.ts"
import { type EffectivePorts, inspectContainer, listContainers, type Port } from "../docker/containers.ts"
import { connectNetwork } from "../docker/network.ts"
import { waitReady } from "../docker/ready.ts"
import { DevrigError, ExternalError } from "../errors.ts"
import { names } from "../project/identity.ts"

export const LABEL_COMPOSE_PROJECT = "com.docker.compose.project"
export const LABEL_COMPOSE_SERVICE = "com.docker.compose.service"
const LABEL_COMPOSE_NUMBER = "com.docker.compose.container-number"
const LABEL_COMPOSE_ONEOFF = "com.docker.compose.oneoff"

export interface ComposePort {
  container: number
  host: number
  protocol: "tcp" | "udp"
}

export interface ComposeContainer {
  id: string
  name: string
  service: string
  /** replica number (`--scale`), 1 for most */
  number: number
  image: string
  /** engine state: "running", "exited", "created", "restarting", … */
  state: string
  running: boolean
  /** meaningful once exited */
  exitCode: number
  /** when the current or last run started (known for containers that are not running) */
  startedAt?: string
  ports: ComposePort[]
}

/** Every container of `devrig-{slug}` (stopped ones too), `docker compose run` one-offs excluded. */
export async function listComposeContainers(slug: string): Promise<ComposeContainer[]> {
  const project = names.composeProject(slug)
  const list = await listContainers({ label: [`${LABEL_COMPOSE_PROJECT}=${project}`] })
  const out: ComposeContainer[] = []
  for (const c of list) {
    if (c.labels[LABEL_COMPOSE_ONEOFF] === "True") continue
    const running = c.state === "running"
    const info = running ? undefined : await inspectContainer(c.id)
    const seen = new Set<string>()
    const ports: ComposePort[] = []
    // The engine lists a binding once per address family (0.0.0.0 and ::).
    for (const p of c.ports) {
      if (p.publicPort === undefined) continue
      const key = `${p.privatePort}/${p.protocol}/${p.publicPort}`
      if (seen.has(key)) continue
      seen.add(key)
      ports.push({ container: p.privatePort, host: p.publicPort, protocol: p.protocol === "udp" ? "udp" : "tcp" })
    }
    ports.sort((a, b) => a.container - b.container || a.host - b.host)
    out.push({
      id: c.id,
      name: c.name,
      service: c.labels[LABEL_COMPOSE_SERVICE] ?? "",
      number: Number(c.labels[LABEL_COMPOSE_NUMBER] ?? 1),
      image: c.image,
      state: c.state,
      running,
      exitCode: info?.exitCode ?? 0,
      startedAt: info?.startedAt,
      ports,
    })
  }
  return out.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.number - b.number))
}

/** On the devrig network the service name resolves to the container, as it does inside Compose. */
export async function joinNetwork(network: string, c: ComposeContainer): Promise<void> {
  await connectNetwork(network, c.id, [c.service])
}

/** Runs one `[compose.ready_checks]` entry against every replica of the service. */
export async function waitComposeReady(
  service: string,
  check: ReadyCheck,
  containers: ComposeContainer[],
  network: string,
  signal?: AbortSignal,
): Promise<void> {
  for (const c of containers) {
    const info = await inspectContainer(c.id)
    if (!info) throw new ExternalError(`compose: service ${service}: container ${c.name} disappeared`)
    // docker/ready.ts checks ResolvedContainers; a compose service is described as one.
    const container: ResolvedContainer = {
      name: service,
      image: c.image,
      ports: {},
      bind: "127.0.0.1",
      env: await _env(c.id),
      secretKeys: [],
      volumes: [],
      dependsOn: [],
      readyCheck: check,
      init: [],
      pull: "missing",
      stopTimeoutMs: 10_000,
    }
    try {
      await waitReady({ id: c.id, container, ports: _effectivePorts(c), ip: info.ips[network], logsSince: info.runLogsSince, signal }, check)
    } catch (e) {
      throw _asCompose(e, service)
    }
  }
}

function _effectivePorts(c: ComposeContainer): EffectivePorts {
  const tcp: Port[] = c.ports.map((p) => ({ host: p.host, container: p.container, protocol: p.protocol }))
  const [main, ...rest] = tcp
  return { main, named: Object.fromEntries(rest.map((p) => [`${p.container}/${p.protocol}`, p])) }
}

/** The container's environment: pg_isready's default user is its POSTGRES_USER. */
async function _env(id: string): Promise<Record<string, string>> {
  const res = await request<{ Config?: { Env?: string[] | null } }>({ method: "GET", path: `/containers/${id}/json`, doing: `inspecting container ${id}` })
  const env: Record<string, string> = {}
  for (const kv of res.Config?.Env ?? []) {
    const eq = kv.indexOf("=")
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1)
  }
  return env
}

/** ready.ts names the component `[docker.X]`; here it is a compose service. */
function _asCompose(e: unknown, service: string): unknown {
  if (!(e instanceof DevrigError)) return e
  const message = `compose: ${e.message.replace(`[docker.${service}]`, `service ${service}`)}`
  const hint = e.hint?.replace(/ready_check in devrig.toml/, "[compose.ready_checks] in devrig.toml")
  const Cls = e.constructor as new (m: string, o: { hint?: string; details?: string[]; cause?: unknown }) => DevrigError
  return new Cls(message, { hint, details: e.details, cause: e })
}
