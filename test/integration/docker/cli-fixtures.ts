// Shared by the Docker tests that drive the compiled binary: a project's container as the engine
// sees it (id, state, anonymous volumes), psql through `devrig exec`, and the end-of-test proof
// that `delete` left nothing behind — the anonymous volumes included, which carry no label.
import { expect } from "bun:test"
import { request } from "../../../src/docker/client.ts"
import { isNotFound } from "../../../src/docker/client.ts"
import { names } from "../../../src/project/identity.ts"
import { assertNoResources } from "../../helpers/docker.ts"
import type { Project } from "../../helpers/proc-fixtures.ts"

export interface EngineContainer {
  id: string
  running: boolean
  /** every volume mounted into the container: destination → volume name */
  volumes: Record<string, string>
}

interface Inspect {
  Id: string
  State: { Running: boolean }
  Mounts?: { Type: string; Name?: string; Destination: string }[] | null
}

/** The project's container `name` as the engine sees it, or undefined when there is none. */
export async function engineContainer(p: Project, name: string): Promise<EngineContainer | undefined> {
  try {
    const c = await request<Inspect>({ method: "GET", path: `/containers/${names.container(p.slug, name)}/json`, doing: "test inspect" })
    const volumes: Record<string, string> = {}
    for (const m of c.Mounts ?? []) if (m.Type === "volume" && m.Name) volumes[m.Destination] = m.Name
    return { id: c.Id, running: c.State.Running, volumes }
  } catch (e) {
    if (isNotFound(e)) return undefined
    throw e
  }
}

export async function volumeExists(name: string): Promise<boolean> {
  try {
    await request({ method: "GET", path: `/volumes/${name}`, doing: "test inspect volume" })
    return true
  } catch (e) {
    if (isNotFound(e)) return false
    throw e
  }
}

/** `devrig exec <container> psql …` as the user would type it; the query's output, trimmed. */
export async function psql(p: Project, container: string, sql: string, db = "app", user = "devrig"): Promise<string> {
  const r = await p.run(["exec", container, "psql", "-U", user, "-d", db, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
  if (r.exitCode !== 0) throw new Error(`psql ${JSON.stringify(sql)} exited ${r.exitCode}: ${r.stdout}${r.stderr}`)
  return r.stdout.trim()
}

/** `devrig delete` exits 0 and nothing of the project is left: labelled resources and `anonymous` volumes. */
export async function deleteAndProve(p: Project, anonymous: string[] = []): Promise<void> {
  const d = await p.run(["delete"])
  expect(d.exitCode, `delete: ${d.stdout}${d.stderr}`).toBe(0)
  await assertNoResources(p.slug)
  for (const v of anonymous) expect(await volumeExists(v), `anonymous volume ${v} still exists`).toBe(false)
}
