/**
 * Helpers for tests against the real Docker engine. Every test gets its own slug (random suffix)
 * and its own host ports, so files can run in parallel, and ends by proving nothing carrying its
 * label is left behind.
 */
import { expect } from "bun:test"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import type { ResolvedContainer } from "../../src/config/resolved.ts"
import { LABEL_PROJECT, type Identity } from "../../src/project/identity.ts"
import { request } from "../../src/docker/client.ts"
import { listContainers } from "../../src/docker/containers.ts"
import { inspectImage } from "../../src/docker/images.ts"
import { listVolumes } from "../../src/docker/volumes.ts"

export const IMAGES = {
  busybox: "devrig-test/busybox:latest",
  postgres: "devrig-test/postgres:16",
  redis: "devrig-test/redis:7",
  /** postgres:16 whose data directory is a VOLUME, as in the official image */
  postgresVolume: "devrig-test/postgres-volume:16",
} as const

const ROOT = join(import.meta.dir, "..", "..")

/** Builds the local test images (scripts/test-images) when one is missing. Minutes on a new machine. */
export async function ensureTestImages(): Promise<void> {
  const missing = []
  for (const ref of Object.values(IMAGES)) if (!(await inspectImage(ref))) missing.push(ref)
  if (!missing.length) return
  const proc = Bun.spawn([join(ROOT, "scripts", "test-images")], { stdout: "inherit", stderr: "inherit" })
  if ((await proc.exited) !== 0) throw new Error(`scripts/test-images failed (missing: ${missing.join(", ")})`)
}

/** A throwaway project identity: `{prefix}-{8 random hex}`, never shared between tests. */
export function testIdentity(prefix = "t"): Identity {
  const id = randomBytes(4).toString("hex")
  const root = `/tmp/devrig-docker-test/${prefix}-${id}`
  return { name: prefix, id, slug: `${prefix}-${id}`, configPath: join(root, "devrig.toml"), root }
}

/** A host port reserved for this test (see ports.ts: not a kernel pick that races devrig's bind). */
export { freePort } from "./ports.ts"

/** A ResolvedContainer with test-friendly defaults (short stop timeout). */
export function container(name: string, o: Partial<ResolvedContainer> & { image: string }): ResolvedContainer {
  return {
    name,
    ports: {},
    bind: "127.0.0.1",
    env: {},
    secretKeys: [],
    volumes: [],
    dependsOn: [],
    init: [],
    pull: "missing",
    stopTimeoutMs: 2000,
    ...o,
  }
}

export interface ResourceCounts {
  containers: string[]
  volumes: string[]
  networks: string[]
}

export async function resources(slug: string): Promise<ResourceCounts> {
  const label = [`${LABEL_PROJECT}=${slug}`]
  const [containers, volumes, networks] = await Promise.all([
    listContainers({ label }),
    listVolumes(label),
    request<{ Name: string }[]>({ method: "GET", path: "/networks", query: { filters: { label } }, doing: "listing networks" }),
  ])
  return { containers: containers.map((c) => c.name), volumes: volumes.map((v) => v.name), networks: networks.map((n) => n.Name) }
}

/** Fails the test when any container, volume or network still carries devrig.project=<slug>. */
export async function assertNoResources(slug: string): Promise<void> {
  expect(await resources(slug)).toEqual({ containers: [], volumes: [], networks: [] })
}
