/**
 * Phase 1 of `devrig start`: the [docker.*] containers. Network, images (in parallel), then each
 * dependency layer created/reused and started in parallel, ready-checked and initialised before
 * the next layer begins. A failure part-way stops what this call started, so a failed start
 * leaves the machine as it found it (named volumes keep their data).
 */
import { existsSync, mkdirSync } from "node:fs"
import { relative } from "node:path"
import type { ResolvedContainer } from "../config/resolved.ts"
import { DevrigError, ExternalError, InputError } from "../errors.ts"
import { runGraph } from "../graph/run.ts"
import { LABEL_PROJECT, LABEL_SERVICE, names, type Identity } from "../project/identity.ts"
import type { InitRecord } from "../project/state.ts"
import type { ComponentState } from "../status.ts"
import { deleteProjectResources, portOwner, type DeleteReport } from "./cleanup.ts"
import {
  effectivePorts,
  ensureContainer,
  inspectContainer,
  listContainers,
  startContainer,
  stopContainer,
  volumeName,
  type EffectivePorts,
} from "./containers.ts"
import { ensureImages, inspectImage, type PullProgress } from "./images.ts"
import { initHash, initNeeded, initTarget, runInit } from "./init.ts"
import { followLogs, type StdStream } from "./logs.ts"
import { ensureNetwork } from "./network.ts"
import { waitReady } from "./ready.ts"
import { ensureVolume } from "./volumes.ts"

export interface ContainerHooks {
  onStatus?(name: string, state: ComponentState, detail?: string): void
  onLog?(name: string, stream: StdStream, line: string): void
  onPull?(image: string, progress: PullProgress): void
  /** the init run recorded in .devrig/state.json for this container, if its init ran */
  initDone?(name: string): InitRecord | string | undefined
  markInitDone?(name: string, record: InitRecord): void
  /** something the user should read once in the start output (a folder devrig created) */
  onNotice?(name: string, text: string): void
  /** an interrupt: pending ready checks are cancelled and what this call started is stopped */
  signal?: AbortSignal
}

export interface RunningContainer {
  name: string
  id: string
  /** devrig-{slug}-{name} */
  containerName: string
  /** address on the devrig network */
  ip?: string
  ports: EffectivePorts
  startedAt: string
  /** false when an unchanged container was reused */
  created: boolean
  /** stops forwarding output to hooks.onLog */
  stopLogs(): void
}

/** Brings the containers up, each once the containers it depends on are ready (`layers` are flattened: order within them does not matter). */
export async function upContainers(ident: Identity, layers: ResolvedContainer[][], hooks: ContainerHooks = {}): Promise<Record<string, RunningContainer>> {
  const all = layers.flat()
  const out: Record<string, RunningContainer> = {}
  if (!all.length) return out
  for (const c of all) hooks.onStatus?.(c.name, "pending")
  const network = await ensureNetwork(ident)

  const policies: Record<string, "missing" | "always"> = {}
  for (const c of all) policies[c.image] = policies[c.image] === "always" || c.pull === "always" ? "always" : "missing"
  const images = await ensureImages({ images: policies, onProgress: (image, p) => hooks.onPull?.(image, p) }).catch((e: unknown) => {
    for (const c of all) hooks.onStatus?.(c.name, "failed", e instanceof Error ? e.message : String(e))
    throw e
  })

  /** ids of the containers this call started, stopped again on failure */
  const startedHere: { id: string; name: string; timeoutMs: number }[] = []
  const failed = new Set<string>()
  try {
    if (hooks.signal?.aborted) throw new ExternalError("start interrupted")
    // Each container as soon as the containers it depends on are ready (not a whole layer at a
    // time). The first failure cancels the others' ready checks; it is the one reported. An
    // interrupt cancels them all: what was started is stopped below, not reported as failed.
    const byName = new Map(all.map((c) => [c.name, c]))
    const graph = new Map(all.map((c) => [c.name, c.dependsOn.filter((d) => byName.has(d))]))
    let first: DevrigError | undefined
    await runGraph(
      graph,
      async (name, signal) => {
        const c = byName.get(name)!
        try {
          out[c.name] = await _up(ident, c, images[c.image]!, network, hooks, signal, startedHere)
        } catch (e) {
          if (first) throw e // cancelled because another one failed
          first = _named(c.name, e)
          if (!hooks.signal?.aborted) {
            failed.add(c.name)
            hooks.onStatus?.(c.name, "failed", first.message)
          }
          throw first
        }
      },
      hooks.signal,
    )
  } catch (e) {
    for (const r of Object.values(out)) r.stopLogs()
    await Promise.allSettled(startedHere.map((s) => stopContainer(s.id, s.timeoutMs, s.name)))
    for (const s of startedHere) if (!failed.has(s.name)) hooks.onStatus?.(s.name, "stopped")
    throw e
  }
  return out
}

async function _up(
  ident: Identity,
  c: ResolvedContainer,
  image: { id: string; exposedPorts: string[] },
  network: string,
  hooks: ContainerHooks,
  signal: AbortSignal,
  startedHere: { id: string; name: string; timeoutMs: number }[],
): Promise<RunningContainer> {
  hooks.onStatus?.(c.name, "starting")
  await Promise.all(c.volumes.filter((v) => v.type === "volume").map((v) => ensureVolume(ident, volumeName(ident.slug, v.source))))
  _bindSources(ident, c, hooks)
  const ensured = await ensureContainer(ident, c, image, network)
  for (const v of ensured.dropped ?? [])
    hooks.onNotice?.(c.name, `[docker.${c.name}] ${v.target} is now mounted from the config; its old anonymous volume is kept, unused (docker volume rm ${v.name})`)
  // The ready check's timeout counts from the container's start; a container found running counts from now.
  let since = Date.now()
  if (!ensured.wasRunning) {
    try {
      await startContainer(ensured.id, ensured.name)
    } catch (e) {
      throw await _portHint(c, ensured.ports, e)
    }
    startedHere.push({ id: ensured.id, name: c.name, timeoutMs: c.stopTimeoutMs })
  }
  const info = await inspectContainer(ensured.id)
  if (!info) throw new ExternalError(`container ${ensured.name} disappeared right after it started`)
  // The engine's clock may differ from ours (a VM): never before we asked, never in the future.
  if (!ensured.wasRunning) since = Math.min(Date.now(), Math.max(since, Date.parse(info.startedAt) || since))
  hooks.onStatus?.(c.name, "starting", `container ${ensured.name}`)

  // A reused running container already showed its past output: forward only what comes next.
  const follower = hooks.onLog
    ? await followLogs(ensured.id, (s, line) => hooks.onLog?.(c.name, s, line), ensured.wasRunning ? { tail: 0 } : { since: info.runLogsSince })
    : undefined
  const run: RunningContainer = {
    name: c.name,
    id: ensured.id,
    containerName: ensured.name,
    ip: info.ips[network],
    ports: ensured.ports,
    startedAt: info.startedAt,
    created: ensured.created,
    stopLogs: () => follower?.stop(),
  }
  try {
    if (c.readyCheck) {
      await waitReady({ id: ensured.id, container: c, ports: ensured.ports, ip: run.ip, logsSince: info.runLogsSince, since, signal }, c.readyCheck)
    }
    if (c.init.length) {
      const target = await initTarget(info)
      if (initNeeded(hooks.initDone?.(c.name), c.init, target)) {
        hooks.onStatus?.(c.name, "starting", "running init scripts")
        const hash = await runInit(ensured.id, c)
        hooks.markInitDone?.(c.name, { hash, ...target })
      }
    }
  } catch (e) {
    run.stopLogs()
    throw e
  }
  hooks.onStatus?.(c.name, c.readyCheck ? "ready" : "running", ensured.name)
  return run
}

/**
 * A bind mount's host folder that does not exist yet is created, as Compose does. Every bind
 * source was written relative to devrig.toml (absolute paths are rejected by validation); `~` is
 * not expanded there, so a missing `~/…` is reported rather than made inside the project.
 */
function _bindSources(ident: Identity, c: ResolvedContainer, hooks: ContainerHooks): void {
  for (const v of c.volumes) {
    if (v.type !== "bind" || existsSync(v.source)) continue
    const rel = relative(ident.root, v.source)
    if (rel.startsWith("~")) {
      throw new InputError(`[docker.${c.name}] the bind mount source ${v.source} does not exist`, {
        hint: "`~` is not expanded in volumes: write the path relative to devrig.toml",
      })
    }
    mkdirSync(v.source, { recursive: true })
    const shown = rel.startsWith("..") ? rel : `./${rel}`
    hooks.onNotice?.(c.name, `[docker.${c.name}] created ${shown} for the bind mount to ${v.target}`)
  }
}

/** Every failure names its component; input errors stay input errors (exit 1). */
function _named(name: string, e: unknown): DevrigError {
  const prefix = `[docker.${name}]`
  if (e instanceof DevrigError) {
    if (e.message.startsWith(prefix)) return e
    const opts = { hint: e.hint, details: e.details, cause: e }
    return e instanceof InputError ? new InputError(`${prefix} ${e.message}`, opts) : new ExternalError(`${prefix} ${e.message}`, opts)
  }
  return new ExternalError(`${prefix} could not start: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
}

/** "port is already allocated" → who holds it, as the PRD's collision message wants. */
async function _portHint(c: ResolvedContainer, ports: EffectivePorts, e: unknown): Promise<unknown> {
  if (!(e instanceof Error) || !/already allocated|address already in use/i.test(e.message)) return e
  for (const p of [ports.main, ...Object.values(ports.named)]) {
    if (!p) continue
    const owner = await portOwner(p.host, p.protocol).catch(() => undefined)
    if (owner) {
      return new ExternalError(`Port ${p.host} is already in use (by ${owner.container})`, {
        hint: `Change [docker.${c.name}] port in devrig.toml, or stop the other project first`,
        cause: e,
      })
    }
  }
  return new ExternalError(`Port ${[ports.main, ...Object.values(ports.named)].filter((p) => !!p).map((p) => p.host).join(", ")} is already in use`, {
    hint: `Change [docker.${c.name}] port in devrig.toml, or stop what holds it`,
    cause: e,
  })
}

export interface StopOptions {
  /** only these config names (default: every container of the project) */
  only?: string[]
  /** grace period before SIGKILL (default: each container's own stop_timeout) */
  timeoutMs?: number
  onStatus?(name: string, state: ComponentState): void
}

/** Stops the project's containers (found by label), in parallel. They stay, for a fast restart. */
export async function stopContainers(slug: string, o: StopOptions = {}): Promise<string[]> {
  const list = await listContainers({ label: [`${LABEL_PROJECT}=${slug}`] })
  const chosen = list.filter((c) => !o.only || o.only.includes(c.labels[LABEL_SERVICE] ?? ""))
  await Promise.all(
    chosen.map(async (c) => {
      const name = c.labels[LABEL_SERVICE] ?? c.name
      if (c.state === "running") o.onStatus?.(name, "stopping")
      await stopContainer(c.id, o.timeoutMs, c.name)
      o.onStatus?.(name, "stopped")
    }),
  )
  return chosen.map((c) => c.labels[LABEL_SERVICE] ?? c.name)
}

/** `devrig delete`: every container, volume and network labelled with the project's slug. */
export function deleteProject(slug: string): Promise<DeleteReport> {
  return deleteProjectResources(slug)
}

/**
 * `devrig reset <name>`: runs the init scripts again in the running container (after its ready
 * check) and returns the new record for .devrig/state.json. Undefined when the container is not
 * running: the caller forgets the record instead, so the next start runs them.
 */
export async function rerunInit(ident: Identity, c: ResolvedContainer): Promise<InitRecord | undefined> {
  const containerName = names.container(ident.slug, c.name)
  const info = await inspectContainer(containerName)
  if (!info?.running) return undefined
  if (c.readyCheck) {
    const image = (await inspectImage(info.imageId)) ?? { id: info.imageId, exposedPorts: [] }
    const ports = effectivePorts(c, image)
    await waitReady({ id: info.id, container: c, ports, ip: info.ips[names.network(ident.slug)], logsSince: info.runLogsSince }, c.readyCheck)
  }
  const hash = c.init.length ? await runInit(info.id, c) : initHash(c.init)
  return { hash, ...(await initTarget(info)) }
}
