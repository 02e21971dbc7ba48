// `devrig delete` removes exactly what carries this project's label: a second project's
// containers and volumes stay, and so do an unlabelled container and volume named like ours
// (devrig-<slug>-x).
import { afterAll, beforeAll, expect, test } from "bun:test"
import { request } from "../../../src/docker/client.ts"
import { inspectContainer, removeContainer } from "../../../src/docker/containers.ts"
import { names } from "../../../src/project/identity.ts"
import { inspectVolume, removeVolume } from "../../../src/docker/volumes.ts"
import { IMAGES, ensureTestImages, resources } from "../../helpers/docker.ts"
import { assertCleanedUp, project, startDetached, stop, type Project } from "../../helpers/proc-fixtures.ts"
import { removeLabelled } from "../faults/helpers.ts"

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
const lookalikes: { container: string; volume: string }[] = []
afterAll(async () => {
  for (const l of lookalikes) {
    await removeContainer(l.container).catch(() => {})
    await removeVolume(l.volume).catch(() => {})
  }
  for (const p of made) {
    await p.run(["delete"])
    await removeLabelled(p.slug)
  }
}, 60_000)

const toml = `
[docker.box]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
volumes = ["data:/data"]
stop_timeout = "1s"

[services.idle]
command = "sleep 600"
`

test("delete removes only this project's labelled resources", async () => {
  const a = project("dela", toml)
  const b = project("delb", toml)
  made.push(a, b)
  await startDetached(a)
  await startDetached(b)
  const lookalike = { container: names.container(a.slug, "x"), volume: names.volume(a.slug, "x") }
  lookalikes.push(lookalike)
  await request({ method: "POST", path: "/volumes/create", body: { Name: lookalike.volume }, doing: "test" })
  const c = await request<{ Id: string }>({ method: "POST", path: "/containers/create", query: { name: lookalike.container }, body: { Image: IMAGES.busybox, Cmd: ["sleep", "600"], HostConfig: { Init: true } }, doing: "test" })
  await request({ method: "POST", path: `/containers/${c.Id}/start`, doing: "test" })

  const supA = a.supervisorPid()
  const bBefore = await resources(b.slug)
  expect(bBefore.containers.length).toBe(1)
  expect(bBefore.volumes.length).toBe(1)

  const r = await a.run(["delete"])
  expect(r.exitCode, r.stderr).toBe(0)
  await assertCleanedUp(a, [], supA)
  expect(await resources(a.slug)).toEqual({ containers: [], volumes: [], networks: [] })
  // the look-alikes and project b are untouched
  expect((await inspectContainer(lookalike.container))?.running).toBe(true)
  expect(await inspectVolume(lookalike.volume)).toBeTruthy()
  expect(await resources(b.slug)).toEqual(bBefore)
  expect((await b.component("box")).state).toMatch(/running|ready/)

  const supB = b.supervisorPid()
  await stop(b)
  await assertCleanedUp(b, [], supB)
}, 90_000)
