// Label-scoped cleanup: delete removes exactly one project's resources, `ps --all` and the
// port-owner lookup read the same labels.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { request } from "../../../src/docker/client.ts"
import { listProjects, portOwner } from "../../../src/docker/cleanup.ts"
import { inspectContainer, removeContainer } from "../../../src/docker/containers.ts"
import { deleteProject, stopContainers, upContainers } from "../../../src/docker/phase.ts"
import { inspectVolume, removeVolume } from "../../../src/docker/volumes.ts"
import { names } from "../../../src/project/identity.ts"
import { IMAGES, assertNoResources, container, ensureTestImages, freePort, resources, testIdentity } from "../../helpers/docker.ts"

const a = testIdentity("cla")
const b = testIdentity("clb")
/** not devrig's: named like project a's resources, but without labels */
const lookalike = { container: `${names.container(a.slug, "extra")}`, volume: names.volume(a.slug, "extra") }

beforeAll(ensureTestImages, 300_000)
afterAll(async () => {
  await removeContainer(lookalike.container)
  await removeVolume(lookalike.volume)
  for (const i of [a, b]) {
    await deleteProject(i.slug)
    await assertNoResources(i.slug)
  }
}, 60_000)

const sleeper = (name: string, port: number) =>
  container(name, {
    image: IMAGES.busybox,
    command: ["sleep", "600"],
    port: { host: port, container: 7000, protocol: "tcp", auto: false },
    volumes: [{ type: "volume", source: "data", target: "/data", readOnly: false }],
  })

test("delete removes only the labelled resources of one slug", async () => {
  const [pa, pb] = [await freePort(), await freePort()]
  await upContainers(a, [[sleeper("one", pa)]])
  await upContainers(b, [[sleeper("one", pb)]])

  await request({ method: "POST", path: "/volumes/create", body: { Name: lookalike.volume }, doing: "test" })
  const created = await request<{ Id: string }>({
    method: "POST",
    path: "/containers/create",
    query: { name: lookalike.container },
    body: { Image: IMAGES.busybox, Cmd: ["sleep", "600"], HostConfig: { Init: true } },
    doing: "test",
  })
  await request({ method: "POST", path: `/containers/${created.Id}/start`, doing: "test" })

  // ps --all sees both projects, with their config paths and running counts.
  const projects = await listProjects()
  const pa_ = projects.find((p) => p.slug === a.slug)
  expect(pa_).toMatchObject({ configPath: a.configPath, running: 1, volumes: [names.volume(a.slug, "data")], networks: [names.network(a.slug)] })
  expect(pa_!.containers).toEqual([{ name: names.container(a.slug, "one"), service: "one", image: IMAGES.busybox, state: "running" }])
  expect(projects.some((p) => p.slug === b.slug)).toBe(true)
  // the unlabelled look-alike is nobody's project
  expect(projects.flatMap((p) => p.containers.map((c) => c.name))).not.toContain(lookalike.container)

  // Port collisions name the owner.
  expect(await portOwner(pa)).toEqual({ container: names.container(a.slug, "one"), project: a.slug, service: "one", configPath: a.configPath })
  expect(await portOwner(pb)).toMatchObject({ project: b.slug })

  const report = await deleteProject(a.slug)
  expect(report).toEqual({
    containers: [names.container(a.slug, "one")],
    volumes: [names.volume(a.slug, "data")],
    networks: [names.network(a.slug)],
  })
  await assertNoResources(a.slug)
  expect(await portOwner(pa)).toBeUndefined()
  // The other project and the look-alikes are untouched.
  expect((await inspectContainer(lookalike.container))?.running).toBe(true)
  expect(await inspectVolume(lookalike.volume)).toBeDefined()
  expect(await resources(b.slug)).toEqual({
    containers: [names.container(b.slug, "one")],
    volumes: [names.volume(b.slug, "data")],
    networks: [names.network(b.slug)],
  })

  // Stop keeps containers (for a fast restart); the port is free again.
  expect(await stopContainers(b.slug, { timeoutMs: 1000 })).toEqual(["one"])
  expect(await portOwner(pb)).toBeUndefined()
  expect((await listProjects()).find((p) => p.slug === b.slug)?.running).toBe(0)
}, 30_000)
