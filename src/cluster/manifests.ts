/**
 * Reading a deploy's manifests and pointing them at the image devrig just built. Pure apart from
 * reading the files, so the substitution rules are unit-tested without a cluster.
 *
 * Rule: a container whose `image` repository equals the deploy's name (`image: api`,
 * `image: api:latest`) gets the freshly built reference. Every other image is left alone.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { InputError } from "../errors.ts"

export type K8sObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; [k: string]: unknown }

const MANIFEST_EXT = /\.(ya?ml|json)$/i

/** A file, or the *.yaml / *.yml / *.json files directly in a directory (sorted, like kubectl -f dir). */
export function manifestFiles(path: string): string[] {
  let st
  try {
    st = statSync(path)
  } catch {
    throw new InputError(`manifests not found: ${path}`)
  }
  if (!st.isDirectory()) return [path]
  const files = readdirSync(path)
    .filter((f) => MANIFEST_EXT.test(f))
    .sort()
    .map((f) => join(path, f))
  if (files.length === 0) throw new InputError(`no .yaml, .yml or .json manifests in ${path}`)
  return files
}

/** All documents of a YAML (or JSON) stream; `kind: List` is flattened, empty documents dropped. */
export function parseManifests(text: string, source = "manifest"): K8sObject[] {
  let parsed: unknown
  try {
    parsed = Bun.YAML.parse(text)
  } catch (e) {
    throw new InputError(`${source} is not valid YAML: ${(e as Error).message}`)
  }
  // Bun returns an array for a multi-document stream; a Kubernetes object is never a bare list.
  const docs = Array.isArray(parsed) ? parsed : [parsed]
  const out: K8sObject[] = []
  for (const d of docs) {
    if (d === null || d === undefined) continue
    if (typeof d !== "object" || Array.isArray(d)) throw new InputError(`${source}: every document must be a Kubernetes object`)
    const obj = d as K8sObject
    if (obj.kind === "List" && Array.isArray(obj.items)) out.push(...(obj.items as K8sObject[]))
    else out.push(obj)
  }
  return out
}

export function readManifests(path: string): K8sObject[] {
  return manifestFiles(path).flatMap((f) => parseManifests(readFileSync(f, "utf8"), f))
}

/** "registry:5000/team/api:1.2@sha256:…" → "registry:5000/team/api" */
export function imageRepository(image: string): string {
  const noDigest = image.split("@")[0]!
  const lastSlash = noDigest.lastIndexOf("/")
  const lastColon = noDigest.lastIndexOf(":")
  return lastColon > lastSlash ? noDigest.slice(0, lastColon) : noDigest
}

/**
 * Returns copies of the objects with matching container images replaced, and how many were.
 * `images` maps a repository name (the deploy name) to the full reference to use.
 */
export function substituteImages(docs: K8sObject[], images: Record<string, string>): { docs: K8sObject[]; replaced: number } {
  let replaced = 0
  const walk = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) {
      const isContainerList = key === "containers" || key === "initContainers" || key === "ephemeralContainers"
      return v.map((item) => (isContainerList ? _container(item) : walk(item)))
    }
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {}
      for (const [k, child] of Object.entries(v)) out[k] = walk(child, k)
      return out
    }
    return v
  }
  const _container = (c: unknown): unknown => {
    const copy = walk(c) as Record<string, unknown>
    if (typeof copy?.image === "string") {
      const ref = images[imageRepository(copy.image)]
      if (ref) {
        copy.image = ref
        replaced++
      }
    }
    return copy
  }
  return { docs: docs.map((d) => walk(d) as K8sObject), replaced }
}

const ROLLOUT_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"])

export interface RolloutTarget {
  kind: string
  name: string
  namespace?: string
}

export function rolloutTargets(docs: K8sObject[]): RolloutTarget[] {
  return docs
    .filter((d) => d.kind && ROLLOUT_KINDS.has(d.kind) && d.metadata?.name)
    .map((d) => ({ kind: d.kind!, name: d.metadata!.name!, namespace: d.metadata?.namespace }))
}

/** One JSON document kubectl reads from stdin (`apply -f -`), whatever the input files were. */
export function toApplyInput(docs: K8sObject[]): string {
  return JSON.stringify({ apiVersion: "v1", kind: "List", items: docs })
}
