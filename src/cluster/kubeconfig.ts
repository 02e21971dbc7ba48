/**
 * Kubeconfig isolation. The cluster's credentials live in .devrig/kubeconfig (mode 0600) and
 * every k3d/kubectl/helm child gets KUBECONFIG pointing there, so nothing devrig runs can read
 * or rewrite ~/.kube/config. HOME is left alone: the user's own tools keep working as before.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { dockerEnv } from "../docker/endpoint.ts"
import { processEnv } from "../env.ts"
import { ExternalError, InputError } from "../errors.ts"
import { statePaths } from "../project/identity.ts"
import { k3d } from "./argv.ts"
import { runOk } from "./exec.ts"

export function kubeconfigPath(root: string): string {
  return statePaths(root).kubeconfig
}

/** Per-project caches that kubectl and helm would otherwise keep under HOME. */
export function kubeDirs(root: string) {
  const dir = statePaths(root).dir
  return { kubeCache: join(dir, "kube-cache"), helm: join(dir, "helm") }
}

/**
 * The environment for every cluster tool. KUBECONFIG is also set for k3d: `k3d cluster delete`
 * always rewrites the "default" kubeconfig (it loads it, strips the cluster, writes it back), and
 * with KUBECONFIG set that default is our own file instead of ~/.kube/config. helm's repository
 * list goes under .devrig too, so `helm repo add` for an addon never edits the user's helm config.
 */
export function kubeEnv(root: string, base: Record<string, string> = processEnv()): Record<string, string> {
  const dirs = kubeDirs(root)
  return {
    ...base,
    // k3d creates its cluster on the engine devrig found
    ...dockerEnv(),
    KUBECONFIG: kubeconfigPath(root),
    KUBECACHEDIR: dirs.kubeCache,
    HELM_REPOSITORY_CONFIG: join(dirs.helm, "repositories.yaml"),
    HELM_REPOSITORY_CACHE: join(dirs.helm, "repository"),
  }
}

export function hasKubeconfig(root: string): boolean {
  return existsSync(kubeconfigPath(root))
}

/** The kubeconfig path, or the InputError `devrig k` shows before any cluster exists. */
export function requireKubeconfig(root: string): string {
  const path = kubeconfigPath(root)
  if (!existsSync(path)) {
    throw new InputError("no cluster for this project; run devrig start or devrig cluster create", {
      hint: `expected a kubeconfig at ${path}`,
    })
  }
  return path
}

/**
 * Written beside the target and renamed over it, created 0600 and chmod'ed again because the
 * process umask can only remove bits and an older file may have had wider ones.
 */
export function writeKubeconfig(root: string, content: string): string {
  const path = kubeconfigPath(root)
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, content, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
  return path
}

/** `k3d kubeconfig get` prints to stdout; nothing of k3d's default-kubeconfig merging is used. */
export async function fetchKubeconfig(root: string, clusterName: string): Promise<string> {
  const { stdout } = await runOk(k3d.kubeconfigGet(clusterName), { env: kubeEnv(root), timeoutMs: 30_000 })
  if (!stdout.includes("clusters:")) throw new ExternalError(`k3d returned no kubeconfig for ${clusterName}`, { details: [stdout.slice(0, 500)] })
  return writeKubeconfig(root, stdout)
}

export const EMPTY_KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\npreferences: {}\n"

/** Gives `k3d cluster delete` a file of ours to rewrite when the real one is already gone. */
export function ensureKubeconfigFile(root: string): void {
  if (!hasKubeconfig(root)) writeKubeconfig(root, EMPTY_KUBECONFIG)
}

export function removeKubeconfig(root: string): void {
  const dirs = kubeDirs(root)
  rmSync(kubeconfigPath(root), { force: true })
  rmSync(dirs.kubeCache, { recursive: true, force: true })
  rmSync(dirs.helm, { recursive: true, force: true })
}
