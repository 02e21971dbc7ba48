/**
 * What `devrig start/stop/delete/ps` do for `[compose]`: bring the stack up, put its containers on
 * the devrig network under their service names (so native containers, compose services and the
 * cluster resolve each other), run `[compose.ready_checks]`, and report published ports.
 */
import type { ResolvedCompose } from "../config/resolved.ts"
import { ensureNetwork } from "../docker/network.ts"
import { ExternalError } from "../errors.ts"
import { type Identity, names } from "../project/identity.ts"
import type { ComposeTarget } from "./argv.ts"
import { assertComposeFile, composeFlavor } from "./detect.ts"
import type { OutputSink } from "./process.ts"
import { type ComposeLogger, composeDown, composeServices, composeStop, composeUp, type RunContext, type UpResult } from "./run.ts"
import { type ComposeContainer, joinNetwork, listComposeContainers, waitComposeReady } from "./containers.ts"

export { type ComposeContainer, type ComposePort, listComposeContainers } from "./containers.ts"

export interface StackRef {
  identity: Identity
  compose: ResolvedCompose
  /** --verbose: log each command line, its directory and the compose file first */
  verbose?: boolean
  logger?: ComposeLogger
  onOutput?: OutputSink
}

export interface StartOptions extends StackRef {
  /** --detach: `up -d`; otherwise `up` keeps running and streams into onOutput */
  detach: boolean
  /** --no-traefik: `--scale traefik=0` on every `up` */
  noTraefik: boolean
  /** interruption: a foreground stack is signalled and taken `down` */
  signal?: AbortSignal
  /** how long services may take to have a running container (default 60 s) */
  startTimeoutMs?: number
}

export interface ComposeService {
  name: string
  /** running, or exited 0 (one-shot services such as migrations) */
  state: "running" | "completed"
  containers: ComposeContainer[]
  /** host port of the lowest published container port: DEVRIG_<NAME>_PORT */
  port?: number
  /** every published port: `container/proto` → host port, for templates */
  ports: Record<string, number>
}

export interface ComposeStack {
  project: string
  flavor: ComposeTarget["flavor"]
  services: Record<string, ComposeService>
  /** foreground only: settles when Compose exits by itself or after interruption + `down` */
  done?: Promise<UpResult>
}

/** Start was interrupted by the signal; a foreground stack has been taken down. */
export class ComposeInterruptedError extends ExternalError {}

const START_TIMEOUT_MS = 60_000

export async function startComposeStack(o: StartOptions): Promise<ComposeStack> {
  const ctx = await _context(o)
  const selected = o.compose.selected ?? o.compose.services
  const listed = selected.length ? selected : await composeServices(ctx)
  const expected = listed.filter((s) => !(o.noTraefik && s === "traefik"))
  const network = await ensureNetwork(o.identity)
  // Our own controller: a failed start must stop a foreground Compose too, not only Ctrl+C.
  const ac = new AbortController()
  const forward = () => ac.abort()
  const unforward = () => o.signal?.removeEventListener("abort", forward)
  o.signal?.addEventListener("abort", forward, { once: true })
  if (o.signal?.aborted) ac.abort()
  const up = { ...ctx, detach: o.detach, noTraefik: o.noTraefik, services: selected, signal: ac.signal }
  let done: Promise<UpResult> | undefined
  // Containers that are already stopped: until Compose starts them again, their exit says
  // nothing about this start (a foreground `up` is still starting while we poll).
  const stale = new Set((await listComposeContainers(o.identity.slug)).filter((c) => !c.running).map(_run))
  try {
    if (o.detach) {
      if ((await composeUp(up)).status === "interrupted") throw new ComposeInterruptedError("compose: start interrupted")
    } else {
      done = composeUp(up)
      // The caller's signal stays wired to the foreground Compose until it exits. Compose failing
      // early must not become an unhandled rejection while we poll.
      done.then(unforward, unforward)
    }
    for (const c of await _waitRunning(o, expected, stale, ac.signal, done)) if (c.running) await joinNetwork(network, c)
    // Read ports only now: joining a network makes the engine pick new ephemeral host ports
    // for bindings published without one ("127.0.0.1::8080").
    const containers = (await listComposeContainers(o.identity.slug)).filter((c) => expected.includes(c.service) || c.running)
    const running = containers.filter((c) => c.running)
    await Promise.all(
      Object.entries(o.compose.readyChecks)
        .filter(([name]) => expected.includes(name))
        .map(([name, check]) =>
          waitComposeReady(
            name,
            check,
            running.filter((c) => c.service === name),
            network,
            ac.signal,
          ),
        ),
    )
    if (ac.signal.aborted) throw new ComposeInterruptedError("compose: start interrupted")
    if (!done) unforward()
    return { project: ctx.target.project, flavor: ctx.target.flavor, services: _services(expected, containers), done }
  } catch (e) {
    unforward()
    if (done) {
      ac.abort()
      await done.catch(() => {})
    }
    throw o.signal?.aborted ? new ComposeInterruptedError("compose: start interrupted", { cause: e }) : e
  }
}

/** `devrig stop`: containers stop, containers and volumes stay. */
export async function stopComposeStack(o: StackRef): Promise<void> {
  await composeStop(await _context(o), o.compose.selected ?? o.compose.services)
}

/** `devrig delete`: containers, compose networks, named and anonymous volumes, orphans. */
export async function deleteComposeStack(o: StackRef): Promise<void> {
  await composeDown(await _context(o), { volumes: true, removeOrphans: true })
}

/** `devrig ps`: the project's services as they are now (stopped containers included). */
export async function composeStatus(identity: Identity): Promise<Record<string, ComposeContainer[]>> {
  const out: Record<string, ComposeContainer[]> = {}
  for (const c of await listComposeContainers(identity.slug)) (out[c.service] ??= []).push(c)
  return out
}

async function _context(o: StackRef): Promise<RunContext> {
  assertComposeFile(o.compose.file)
  const flavor = await composeFlavor()
  const target: ComposeTarget = { flavor, project: names.composeProject(o.identity.slug), file: o.compose.file, envFile: o.compose.envFile }
  return { target, verbose: o.verbose, logger: o.logger, onOutput: o.onOutput }
}

/** Polls until every expected service has a running container (or one that exited 0). */
async function _waitRunning(
  o: StartOptions,
  expected: string[],
  stale: Set<string>,
  signal: AbortSignal,
  done?: Promise<UpResult>,
): Promise<ComposeContainer[]> {
  const deadline = Date.now() + (o.startTimeoutMs ?? START_TIMEOUT_MS)
  const fresh = (c: ComposeContainer) => !stale.has(_run(c))
  const done0 = (c: ComposeContainer) => c.state === "exited" && c.exitCode === 0 && fresh(c)
  let settled = false
  done?.then(
    () => (settled = true),
    () => (settled = true),
  )
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    if (signal.aborted) throw new ComposeInterruptedError("compose: start interrupted")
    const all = await listComposeContainers(o.identity.slug)
    const failed = all.find((c) => expected.includes(c.service) && c.state === "exited" && c.exitCode !== 0 && fresh(c))
    if (failed)
      throw new ExternalError(`compose: service ${failed.service} exited with code ${failed.exitCode}`, { hint: `See its output: docker logs ${failed.name}` })
    const missing = expected.filter((s) => !all.some((c) => c.service === s && (c.running || done0(c))))
    if (missing.length === 0) return all.filter((c) => expected.includes(c.service) || c.running)
    if (done && settled) {
      await done // rethrows Compose's own failure
      throw new ExternalError(`compose: Compose exited before ${missing.join(", ")} started`)
    }
    if (Date.now() > deadline)
      throw new ExternalError(`compose: ${missing.join(", ")} did not start within ${Math.round((o.startTimeoutMs ?? START_TIMEOUT_MS) / 1000)}s`)
    await Bun.sleep(delay)
  }
}

/** One run of one container: a restart changes StartedAt, a recreate changes the id. */
function _run(c: ComposeContainer): string {
  return `${c.id}@${c.startedAt ?? ""}`
}

function _services(expected: string[], containers: ComposeContainer[]): Record<string, ComposeService> {
  const out: Record<string, ComposeService> = {}
  for (const name of [...expected].sort()) {
    const mine = containers.filter((c) => c.service === name).sort((a, b) => a.number - b.number)
    const ports: Record<string, number> = {}
    for (const c of mine) for (const p of c.ports) ports[`${p.container}/${p.protocol}`] ??= p.host
    const tcp = mine
      .flatMap((c) => c.ports)
      .filter((p) => p.protocol === "tcp")
      .sort((a, b) => a.container - b.container)
    out[name] = { name, state: mine.some((c) => c.running) ? "running" : "completed", containers: mine, port: tcp[0]?.host, ports }
  }
  return out
}
