/**
 * Images: is it here, and pulling it when it is not (or when `pull = "always"`).
 * Pull errors usually arrive inside a 200 progress stream, not as a status code.
 */
import { ExternalError } from "../errors.ts"
import { DockerEngineError, isNotFound, openStream, request } from "./client.ts"

export interface ImageInfo {
  id: string
  /** "5432/tcp", … as declared by EXPOSE */
  exposedPorts: string[]
}

interface ImageInspect {
  Id: string
  Config?: { ExposedPorts?: Record<string, unknown> | null }
}

export async function inspectImage(ref: string): Promise<ImageInfo | undefined> {
  try {
    const img = await request<ImageInspect>({ method: "GET", path: `/images/${ref}/json`, doing: `inspecting image ${ref}` })
    return { id: img.Id, exposedPorts: Object.keys(img.Config?.ExposedPorts ?? {}) }
  } catch (e) {
    if (isNotFound(e)) return undefined
    throw e
  }
}

/** "postgres:16" → { image: "postgres", tag: "16" }; registry ports and digests are kept intact. */
export function splitRef(ref: string): { image: string; tag: string } {
  const at = ref.indexOf("@")
  if (at >= 0) return { image: ref.slice(0, at), tag: ref.slice(at + 1) }
  const colon = ref.lastIndexOf(":")
  if (colon > ref.lastIndexOf("/")) return { image: ref.slice(0, colon), tag: ref.slice(colon + 1) }
  return { image: ref, tag: "latest" }
}

export interface PullProgress {
  /** "Pulling fs layer", "Downloading", "Pull complete", "Status: Downloaded newer image…" */
  status: string
  /** layer id, when the event is about one layer */
  layer?: string
  current?: number
  total?: number
}

interface ProgressEvent {
  status?: string
  id?: string
  progressDetail?: { current?: number; total?: number }
  error?: string
  errorDetail?: { message?: string }
}

export async function pullImage(ref: string, onProgress?: (p: PullProgress) => void): Promise<void> {
  const { image, tag } = splitRef(ref)
  const fail = (reason: string, cause?: unknown) =>
    new ExternalError(`Could not pull image ${ref}: ${reason}`, {
      hint: "Check the image name and tag, your network, and `docker login` for private registries",
      cause,
    })
  let stream
  try {
    stream = await openStream({
      method: "POST",
      path: "/images/create",
      query: { fromImage: image, tag },
      doing: `pulling image ${ref}`,
      ok: [200],
    })
  } catch (e) {
    if (e instanceof DockerEngineError) throw fail(e.engineMessage, e)
    throw e
  }
  let failure: string | undefined
  let buf = ""
  const handle = (line: string) => {
    if (!line.trim()) return
    let ev: ProgressEvent
    try {
      ev = JSON.parse(line) as ProgressEvent
    } catch {
      return
    }
    if (ev.error || ev.errorDetail) failure = ev.errorDetail?.message ?? ev.error
    else if (ev.status) onProgress?.({ status: ev.status, layer: ev.id, current: ev.progressDetail?.current, total: ev.progressDetail?.total })
  }
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => {
      buf += chunk.toString("utf8")
      let nl
      while ((nl = buf.indexOf("\n")) >= 0) {
        handle(buf.slice(0, nl))
        buf = buf.slice(nl + 1)
      }
    })
    stream.on("error", (e) => reject(fail(e.message, e)))
    stream.on("end", () => {
      handle(buf)
      resolve()
    })
  })
  if (failure) throw fail(failure)
}

export interface EnsureImagesOptions {
  /** image reference → "missing" (pull only when absent) or "always" */
  images: Record<string, "missing" | "always">
  onProgress?: (image: string, p: PullProgress) => void
}

/**
 * Makes every image available, pulling in parallel. With "always", a failed pull of an image
 * that is present locally still fails: the user asked for the newest one.
 */
export async function ensureImages(o: EnsureImagesOptions): Promise<Record<string, ImageInfo>> {
  const out: Record<string, ImageInfo> = {}
  const results = await Promise.allSettled(
    Object.entries(o.images).map(async ([ref, policy]) => {
      let info = policy === "missing" ? await inspectImage(ref) : undefined
      if (!info) {
        await pullImage(ref, (p) => o.onProgress?.(ref, p))
        info = await inspectImage(ref)
        if (!info) throw new ExternalError(`Image ${ref} is still missing after a successful pull`)
      }
      out[ref] = info
    }),
  )
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as unknown)
  if (failed.length === 1) throw failed[0]
  if (failed.length > 1) {
    throw new ExternalError(`Could not pull ${failed.length} images`, {
      details: failed.map((e) => (e instanceof Error ? e.message : String(e))),
      hint: "Check the image names and tags, your network, and `docker login` for private registries",
    })
  }
  return out
}
