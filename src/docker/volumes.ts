/**
 * Named volumes `devrig-{slug}-{name}`. Created explicitly (not implicitly by a container's mount)
 * so they carry the project label that `delete` finds them by, and a random id that tells a
 * volume apart from a later one of the same name (the engine's CreatedAt is the data folder's
 * mtime: it moves as the data changes).
 */
import { randomBytes } from "node:crypto"
import { labels, type Identity } from "../project/identity.ts"

export const LABEL_VOLUME_ID = "devrig.volume-id"
import { isNotFound, request } from "./client.ts"

export interface VolumeInfo {
  name: string
  labels: Record<string, string>
}

interface VolumeInspect {
  Name: string
  Labels?: Record<string, string> | null
}

export async function inspectVolume(name: string): Promise<VolumeInfo | undefined> {
  try {
    const v = await request<VolumeInspect>({ method: "GET", path: `/volumes/${name}`, doing: `inspecting volume ${name}` })
    return { name: v.Name, labels: v.Labels ?? {} }
  } catch (e) {
    if (isNotFound(e)) return undefined
    throw e
  }
}

/**
 * Creates the volume if it does not exist. An existing volume is used as it is, labelled or not:
 * it holds the user's data, and refusing it would be worse than sharing it.
 */
export async function ensureVolume(ident: Identity, fullName: string): Promise<void> {
  if (await inspectVolume(fullName)) return
  // The engine answers 201 for an existing name too, so a concurrent create is harmless.
  await request({
    method: "POST",
    path: "/volumes/create",
    body: { Name: fullName, Driver: "local", Labels: { ...labels(ident), [LABEL_VOLUME_ID]: randomBytes(8).toString("hex") } },
    doing: `creating volume ${fullName}`,
  })
}

export async function listVolumes(labelFilter: string[]): Promise<VolumeInfo[]> {
  const res = await request<{ Volumes?: VolumeInspect[] | null }>({
    method: "GET",
    path: "/volumes",
    query: { filters: { label: labelFilter } },
    doing: "listing volumes",
  })
  return (res.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }))
}

export async function removeVolume(name: string): Promise<void> {
  try {
    await request({ method: "DELETE", path: `/volumes/${name}`, doing: `removing volume ${name}` })
  } catch (e) {
    if (isNotFound(e)) return
    throw e
  }
}
