/**
 * Shared by the Compose integration tests: a fresh project (temp dir, unique slug) per test, the
 * local test images, and the leftover check every test ends with.
 */
import { expect } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { request } from "../../../src/docker/client.ts"
import { listContainers, removeContainer } from "../../../src/docker/containers.ts"
import { removeNetwork } from "../../../src/docker/network.ts"
import { listVolumes, removeVolume } from "../../../src/docker/volumes.ts"
import { identity, type Identity, LABEL_PROJECT, names } from "../../../src/project/identity.ts"
import { ensureTestImages } from "../../helpers/docker.ts"

/** The devrig-test/* images (built once per machine by scripts/test-images; no registry here). */
export const ensureImages = ensureTestImages

export interface TestProject {
  dir: string
  ident: Identity
  composeFile: string
}

let _n = 0

/** A temp project whose slug no other test (or parallel run) shares. */
export function tempProject(composeYaml: string): TestProject {
  const dir = mkdtempSync(join(tmpdir(), "devrig-compose-it-"))
  writeFileSync(join(dir, "devrig.toml"), `[project]\nname = "ctest${++_n}"\n`)
  const composeFile = join(dir, "docker-compose.yml")
  writeFileSync(composeFile, composeYaml)
  return { dir, ident: identity(`ctest${_n}`, join(dir, "devrig.toml")), composeFile }
}

const COMPOSE_PROJECT = "com.docker.compose.project"

async function _ours(ident: Identity) {
  const project = names.composeProject(ident.slug)
  const containers = [
    ...(await listContainers({ label: [`${COMPOSE_PROJECT}=${project}`] })),
    ...(await listContainers({ label: [`${LABEL_PROJECT}=${ident.slug}`] })),
  ]
  const volumes = [...(await listVolumes([`${COMPOSE_PROJECT}=${project}`])), ...(await listVolumes([`${LABEL_PROJECT}=${ident.slug}`]))]
  const nets = await request<{ Name: string }[]>({ method: "GET", path: "/networks", doing: "listing networks" })
  const prefix = `devrig-${ident.slug}`
  const networks = nets.map((n) => n.Name).filter((n) => n.startsWith(prefix))
  return { containers: [...new Set(containers.map((c) => c.id))], volumes: [...new Set(volumes.map((v) => v.name))], networks }
}

/** Removes whatever a failed test left behind, then asserts nothing of the project remains. */
export async function cleanupAndAssertNoLeftovers(ident: Identity): Promise<void> {
  const before = await _ours(ident)
  for (const id of before.containers) await removeContainer(id)
  for (const v of before.volumes) await removeVolume(v)
  for (const n of before.networks) await removeNetwork(n)
  const after = await _ours(ident)
  expect(after).toEqual({ containers: [], volumes: [], networks: [] })
}

/**
 * Runs a test body against a fresh project and always ends with the leftover check, so tests in
 * one file can also run concurrently (`bun test --concurrent`) without sharing cleanup state.
 */
export async function withProject(composeYaml: string, body: (p: TestProject) => Promise<void>): Promise<void> {
  const p = tempProject(composeYaml)
  try {
    await body(p)
  } finally {
    await cleanupAndAssertNoLeftovers(p.ident)
  }
}

/** What the test left before cleanup: a test asserts this is empty where its scenario promises it. */
export async function leftovers(ident: Identity): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
  return _ours(ident)
}
