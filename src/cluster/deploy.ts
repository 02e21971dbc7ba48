/**
 * [cluster.deploy.*]: build the image, get it into the cluster (push to the project registry, or
 * `k3d image import` without one), apply the manifests pointing at it, wait for the rollout.
 * Watch mode repeats that whenever the build context changes.
 */
import { watch, type FSWatcher } from "node:fs"
import { isAbsolute, relative, sep } from "node:path"
import { InputError } from "../errors.ts"
import type { ResolvedConfig, ResolvedDeploy } from "../config/resolved.ts"
import { LABEL_PROJECT, LABEL_SERVICE } from "../project/identity.ts"
import { buildImage, pushImage, type OnProgress } from "../docker/build.ts"
import { k3d, kubectl } from "./argv.ts"
import { runOk } from "./exec.ts"
import { kubeEnv } from "./kubeconfig.ts"
import type { ClusterHandle, Log } from "./lifecycle.ts"
import { readManifests, rolloutTargets, substituteImages, toApplyInput } from "./manifests.ts"

export interface DeployCallbacks {
  log?: Log
  /** raw build / push progress from the engine */
  progress?: OnProgress
}

export interface DeployResult {
  name: string
  /** the reference the pods run */
  image: string
  /** "deployment/api", … that were waited for */
  rolledOut: string[]
}

/** A tag that changes on every build, so an unchanged manifest still rolls the pods. */
export function devTag(now = Date.now()): string {
  return `dev-${now.toString(36)}`
}

/** Where the image is built/pushed and what the pods pull. */
export function imageRefs(slug: string, name: string, tag: string, handle: Pick<ClusterHandle, "registry">): { build: string; pull: string } {
  if (handle.registry) return { build: `${handle.registry.pushPrefix}/${name}:${tag}`, pull: `${handle.registry.pullPrefix}/${name}:${tag}` }
  const local = `devrig-${slug}/${name}:${tag}`
  return { build: local, pull: local }
}

export async function deployService(cfg: ResolvedConfig, handle: ClusterHandle, name: string, cb: DeployCallbacks = {}): Promise<DeployResult> {
  const deploy = cfg.cluster?.deploy[name]
  if (!deploy) throw new InputError(`unknown cluster deploy "${name}"`)
  const log = cb.log ?? (() => {})
  const env = kubeEnv(cfg.identity.root)
  const refs = imageRefs(cfg.identity.slug, name, devTag(), handle)

  log(`building ${refs.build}`)
  await buildImage({
    context: deploy.context,
    dockerfile: deploy.dockerfile,
    tag: refs.build,
    labels: { [LABEL_PROJECT]: cfg.identity.slug, [LABEL_SERVICE]: name },
    onProgress: cb.progress,
  })
  if (handle.registry) {
    log(`pushing ${refs.build}`)
    await pushImage(refs.build, cb.progress)
  } else {
    log(`importing ${refs.build} into ${handle.name}`)
    await runOk(k3d.imageImport(refs.build, handle.name), { env, timeoutMs: 300_000 })
  }

  const { docs, replaced } = substituteImages(readManifests(deploy.manifests), { [name]: refs.pull })
  if (replaced === 0) log(`warning: no container in ${deploy.manifests} uses image "${name}"; applied unchanged`)
  log(`applying ${deploy.manifests}`)
  await runOk(kubectl.apply({ file: "-" }), { env, stdin: toApplyInput(docs), timeoutMs: 120_000 })

  const rolledOut: string[] = []
  for (const t of rolloutTargets(docs)) {
    log(`waiting for ${t.kind.toLowerCase()}/${t.name}`)
    await runOk(kubectl.rolloutStatus(t), { env, timeoutMs: 200_000 })
    rolledOut.push(`${t.kind.toLowerCase()}/${t.name}`)
  }
  return { name, image: refs.pull, rolledOut }
}

/** Deploys in the order given (the lead's dependency layers); stops at the first failure. */
export async function deployAll(cfg: ResolvedConfig, handle: ClusterHandle, order: string[], cb: DeployCallbacks = {}): Promise<DeployResult[]> {
  const out: DeployResult[] = []
  for (const name of order) out.push(await deployService(cfg, handle, name, cb))
  return out
}

const WATCH_IGNORED = new Set([".git", "node_modules", ".devrig"])
export const WATCH_DEBOUNCE_MS = 500

/** True for paths (relative to the context) whose changes must not trigger a rebuild. */
export function isWatchIgnored(relPath: string): boolean {
  return relPath.split(/[\\/]/).some((part) => WATCH_IGNORED.has(part))
}

export interface DeployWatcher {
  close(): void
}

/**
 * Rebuild + redeploy on changes under the context, debounced. Changes that arrive while a
 * deploy runs queue exactly one more deploy, so the last edit always ends up in the cluster.
 */
export function watchDeploy(
  cfg: ResolvedConfig,
  handle: ClusterHandle,
  name: string,
  cb: DeployCallbacks & { onResult?: (r: DeployResult | Error) => void; debounceMs?: number } = {},
): DeployWatcher {
  const deploy: ResolvedDeploy | undefined = cfg.cluster?.deploy[name]
  if (!deploy) throw new InputError(`unknown cluster deploy "${name}"`)
  const log = cb.log ?? (() => {})
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false
  let again = false
  let closed = false

  const fire = async () => {
    if (closed) return
    if (running) {
      again = true
      return
    }
    running = true
    try {
      log(`change detected in ${deploy.context}; redeploying ${name}`)
      cb.onResult?.(await deployService(cfg, handle, name, cb))
    } catch (e) {
      log(`redeploy of ${name} failed: ${(e as Error).message}`)
      cb.onResult?.(e as Error)
    } finally {
      running = false
      if (again && !closed) {
        again = false
        void fire()
      }
    }
  }

  const onChange = (_event: string, file: string | Buffer | null) => {
    const rel = file ? String(file).split(sep).join("/") : ""
    if (rel && isWatchIgnored(rel)) return
    clearTimeout(timer)
    timer = setTimeout(fire, cb.debounceMs ?? WATCH_DEBOUNCE_MS)
  }
  const watchers: FSWatcher[] = [watch(deploy.context, { recursive: true }, onChange)]
  // Manifests usually live outside the context (./k8s/api); editing them redeploys too.
  const rel = relative(deploy.context, deploy.manifests)
  if (rel.startsWith("..") || isAbsolute(rel)) watchers.push(watch(deploy.manifests, { recursive: true }, onChange))
  return {
    close() {
      closed = true
      clearTimeout(timer)
      for (const w of watchers) w.close()
    },
  }
}
