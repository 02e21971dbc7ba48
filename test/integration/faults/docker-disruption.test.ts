// A managed container removed by hand (`docker rm -f`) while devrig runs: devrig keeps running,
// notices within 2 s, reports it (ps: failed, a line in the container's log) and
// `devrig restart <name>` brings it back. The watch itself (src/services/container-watch.ts)
// is also tested in-process, including an unreachable engine (one line per outage, backoff).
import { afterAll, beforeAll, expect, test } from "bun:test"
import { upContainers, deleteProject } from "../../../src/docker/phase.ts"
import { removeContainer } from "../../../src/docker/containers.ts"
import { names } from "../../../src/project/identity.ts"
import { ContainerWatch } from "../../../src/services/container-watch.ts"
import { IMAGES, assertNoResources, container, ensureTestImages, testIdentity } from "../../helpers/docker.ts"
import { assertCleanedUp, isAlive, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"
import { cleanupProjects, labelled } from "./helpers.ts"

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
const idents = [testIdentity("cw")]
afterAll(async () => {
  await cleanupProjects(made)
  for (const i of idents) await deleteProject(i.slug)
})

test("ContainerWatch reports a container removed with `docker rm -f` within 2 s, once", async () => {
  const ident = idents[0]!
  const up = await upContainers(ident, [[container("one", { image: IMAGES.busybox, command: ["sleep", "600"], stopTimeoutMs: 1000 })]])
  up.one!.stopLogs()
  const lost: [string, string, number][] = []
  let expected = ["one"]
  // expected() is asked once per completed engine answer, and lost() is called in the same tick:
  // counting its calls tells when a poll has been fully processed (no sleeping and hoping)
  let checks = 0
  const w = new ContainerWatch(ident.slug, {
    expected: () => (checks++, expected),
    lost: (n, why) => {
      lost.push([n, why, Date.now()])
      expected = [] // what the owner does: the container is failed now
    },
    info: () => {},
  })
  w.start()
  await waitFor(() => checks >= 2, "two polls of the running container", 10_000, 20)
  expect(lost).toEqual([]) // a running container is not reported
  const t = Date.now()
  await removeContainer(names.container(ident.slug, "one"))
  await waitFor(() => lost.length > 0, "the loss to be reported", 2000, 20)
  expect(lost[0]![2] - t).toBeLessThan(2000)
  expect(lost[0]![1]).toContain("removed outside devrig")
  const after = checks
  await waitFor(() => checks >= after + 2, "two more polls after the report", 10_000, 20)
  expect(lost.length).toBe(1)
  await w.stop()
  await deleteProject(ident.slug)
  await assertNoResources(ident.slug)
}, 30_000)

test("ContainerWatch: an unreachable engine is one line, polls back off, the reconnect is one line", async () => {
  let down = true
  let calls = 0
  const at: number[] = []
  const info: string[] = []
  const w = new ContainerWatch(
    "nobody",
    { expected: () => [], lost: () => {}, info: (t) => info.push(t) },
    {
      intervalMs: 20,
      list: async () => {
        calls++
        at.push(performance.now())
        if (down) throw new Error("connect ENOENT /var/run/docker.sock")
        return []
      },
    },
  )
  w.start()
  // 20 ms doubling: after the k-th failed check the next one waits 20·2^k ms (40, 80, 160, 320…).
  // Timers never fire early, so the gaps are lower bounds whatever the machine's load.
  await waitFor(() => calls >= 6, "six checks of the unreachable engine", 10_000, 20)
  const gaps = at.slice(1, 6).map((t, i) => t - at[i]!)
  gaps.forEach((g, i) => expect(g, `gap after failed check ${i + 1}: ${gaps.join(", ")} ms`).toBeGreaterThanOrEqual(20 * 2 ** (i + 1) - 2))
  expect(info.length).toBe(1)
  expect(info[0]).toContain("lost the connection to the Docker engine")
  down = false
  await waitFor(() => info.length === 2, "the reconnect line", 3000, 20)
  expect(info[1]).toContain("reconnected")
  await w.stop()
})

test("devrig survives `docker rm -f` of a managed container, reports it within 2 s, and `devrig restart` brings it back", async () => {
  const p = project(
    "rmf",
    `
[docker.box]
image = "${IMAGES.busybox}"
command = ["sh", "-c", "echo box up; exec sleep 600"]
stop_timeout = "1s"

[docker.other]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
stop_timeout = "1s"

[services.idle]
command = "sleep 600"
`,
  )
  made.push(p)
  await startDetached(p)
  const sup = p.supervisorPid()!
  expect((await p.component("box")).state).toMatch(/running|ready/)

  const t = Date.now()
  const rm = Bun.spawnSync(["docker", "rm", "-f", names.container(p.slug, "box")])
  expect(rm.exitCode).toBe(0)
  const c = await p.waitState("box", /failed|stopped/, 2500)
  const noticed = Date.now() - t
  console.log(`[docker-rm] noticed in ${noticed} ms: ${c.state} — ${c.error}`)
  expect(noticed).toBeLessThan(2500) // 2 s + one ps round trip
  expect(c.error ?? "").toContain("removed outside devrig")
  expect(isAlive(sup)).toBe(true)
  expect(p.read(".devrig/logs/box.log")).toContain("removed outside devrig")
  expect((await p.component("other")).state).toMatch(/running|ready/)
  expect((await p.component("idle")).state).toBe("running")

  const r = await p.run(["restart", "box"])
  expect(r.exitCode, r.stderr).toBe(0)
  await p.waitState("box", /running|ready/, 10_000)
  expect(await labelled(p.slug, false)).toContain(names.container(p.slug, "box"))
  // and it is watched again: a second removal is noticed too
  Bun.spawnSync(["docker", "rm", "-f", names.container(p.slug, "box")])
  await p.waitState("box", /failed|stopped/, 2500)

  await stop(p)
  await assertCleanedUp(p, [], sup)
  expect(await labelled(p.slug, false)).toEqual([])
  await p.run(["delete"])
  expect(await labelled(p.slug)).toEqual([])
}, 60_000)
