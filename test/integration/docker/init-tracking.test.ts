// `init` runs once per container and its data: never twice in the same container (stop/start),
// again in a fresh one (removed behind devrig's back, or recreated without volumes to carry the
// data over), and again after `devrig reset` — at once when the container runs, on the next start
// when the project is stopped. Each run of the init appends a line to a file in the container's
// writable layer, so the file counts the runs that container saw.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { request } from "../../../src/docker/client.ts"
import { names } from "../../../src/project/identity.ts"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"
import { cleanupProjects } from "../faults/helpers.ts"
import { deleteAndProve, engineContainer } from "./cli-fixtures.ts"

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
afterAll(() => cleanupProjects(made), 120_000)

const box = (extraEnv = "") => `
[docker.box]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
env = { A = "1"${extraEnv} }
init = ["echo ran >> /init.log"]
stop_timeout = "1s"
`

/** How many times init ran in the current container. */
async function runs(p: Project): Promise<number> {
  const r = await p.run(["exec", "box", "sh", "-c", "cat /init.log 2>/dev/null || true"])
  expect(r.exitCode, r.stderr).toBe(0)
  return r.stdout.split("\n").filter((l) => l === "ran").length
}

test("init: once per container; again in a fresh container (removed, or recreated without volumes)", async () => {
  const p = project("initonce", box())
  made.push(p)
  await startDetached(p)
  expect(await runs(p)).toBe(1)
  const first = (await engineContainer(p, "box"))!

  // stop/start: the same container, init not repeated
  await stop(p)
  await startDetached(p)
  expect((await engineContainer(p, "box"))!.id).toBe(first.id)
  expect(await runs(p)).toBe(1)

  // Removed behind devrig's back: the next start makes a fresh, empty container and inits it.
  await stop(p)
  await request({ method: "DELETE", path: `/containers/${names.container(p.slug, "box")}`, query: { force: true }, doing: "test: docker rm" })
  await startDetached(p)
  const second = (await engineContainer(p, "box"))!
  expect(second.id).not.toBe(first.id)
  expect(await runs(p)).toBe(1)

  // A changed definition without volumes: the new container starts empty, so init runs in it.
  await stop(p)
  p.write("devrig.toml", `[project]\nname = "initonce"\n${box(', B = "2"')}`)
  await startDetached(p)
  expect((await engineContainer(p, "box"))!.id).not.toBe(second.id)
  expect(await runs(p)).toBe(1)

  await deleteAndProve(p)
}, 120_000)

test("reset: runs init now in a running container; on a stopped project, on the next start", async () => {
  const p = project("initreset", box())
  made.push(p)
  await startDetached(p)
  expect(await runs(p)).toBe(1)

  const now = await p.run(["reset", "box"])
  expect(now.exitCode, now.stderr).toBe(0)
  expect(now.stdout).toContain("ran 1 init script in box")
  expect(await runs(p)).toBe(2)

  await stop(p)
  const later = await p.run(["reset", "box"])
  expect(later.exitCode, later.stderr).toBe(0)
  expect(later.stdout).toMatch(/box is not running: its init scripts run again on the next `devrig start`/)
  await startDetached(p)
  expect(await runs(p)).toBe(3)
  // and only once
  await stop(p)
  await startDetached(p)
  expect(await runs(p)).toBe(3)

  await deleteAndProve(p)
}, 120_000)

test("a [docker.*] block removed on hot reload: stopped and kept until delete; added back, the same container", async () => {
  const other = `
[docker.other]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
stop_timeout = "1s"
`
  const p = project("initdrop", box() + other)
  made.push(p)
  await startDetached(p)
  expect(await runs(p)).toBe(1)
  const first = (await engineContainer(p, "box"))!

  p.write("devrig.toml", `[project]\nname = "initdrop"\n${other}`)
  await waitFor(async () => (await engineContainer(p, "box"))?.running === false, "the removed block's container to stop", 30_000, 200)
  expect((await engineContainer(p, "box"))!.id).toBe(first.id)

  p.write("devrig.toml", `[project]\nname = "initdrop"\n${box()}${other}`)
  await p.waitState("box", "running", 30_000)
  expect((await engineContainer(p, "box"))!.id).toBe(first.id)
  expect(await runs(p)).toBe(1)

  await deleteAndProve(p)
}, 120_000)
