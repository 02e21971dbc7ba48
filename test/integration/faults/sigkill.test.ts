// SIGKILL of the supervisor mid-run. The watchdog must end everything of that run within
// seconds — a setsid grandchild, a service that ignores SIGTERM, a port holder, and the
// project's containers (stopped, never removed) — and when the watchdog is killed too, the next
// `devrig stop` does it.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { assertCleanedUp, freePort, httpStatus, isAlive, markedPids, project, startDetached, waitFor, type Project } from "../../helpers/proc-fixtures.ts"
import { cleanupProjects, labelled, watchdogPids } from "./helpers.ts"

beforeAll(ensureTestImages, 300_000)

const made: Project[] = []
afterAll(async () => {
  await cleanupProjects(made)
})

async function fiveAndThree(name: string) {
  const [web, box, dash, grpc, http] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()])
  const p = project(
    name,
    `
[services.web]
command = "exec python3 -m http.server $PORT --bind 127.0.0.1"
port = ${web}

[services.escapee]
# a grandchild in its own session: not in the service's process group
command = "setsid -f sleep 600; exec sleep 600"

[services.stubborn]
command = "trap '' TERM; while :; do sleep 0.2; done"
stop_timeout = "1s"

[services.ticker]
command = "while :; do echo tick; sleep 0.3; done"

[services.idle]
command = "sleep 600"

[docker.one]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
port = ${box}
container_port = 7000
stop_timeout = "1s"

[docker.two]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
stop_timeout = "1s"

[docker.three]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
stop_timeout = "1s"

[dashboard]
port = ${dash}
[dashboard.otel]
grpc_port = ${grpc}
http_port = ${http}
`,
  )
  made.push(p)
  await startDetached(p)
  await waitFor(async () => (await httpStatus(web)) === 200, "web to answer")
  // the setsid grandchild exists and carries the marker
  await waitFor(() => markedPids(p.slug, "escapee").length >= 2, "the setsid grandchild")
  expect((await labelled(p.slug, false)).length).toBe(3)
  return { p, ports: [web, box, dash, grpc, http] }
}

test("SIGKILL of the supervisor: the watchdog ends every process, container and port of the run within 15 s", async () => {
  const { p, ports } = await fiveAndThree("sigkill")
  const sup = p.supervisorPid()!
  expect(watchdogPids(p.dir).length).toBe(1)
  const t0 = Date.now()
  process.kill(sup, "SIGKILL")
  await waitFor(async () => markedPids(p.slug).length === 0 && (await labelled(p.slug, false)).length === 0, "processes and containers of the run to end", 15_000, 100)
  const took = Date.now() - t0
  await assertCleanedUp(p, ports, sup)
  // Stopped, as `devrig stop` does, not removed: their data stays for the next start.
  expect(await labelled(p.slug, false)).toEqual([])
  expect((await labelled(p.slug)).length).toBe(3)
  await waitFor(() => watchdogPids(p.dir).length === 0, "the watchdog to exit", 5000)
  console.log(`[sigkill] cleaned up ${took} ms after SIGKILL`)
  expect(took).toBeLessThan(15_000)
}, 90_000)

test("SIGKILL of the supervisor and its watchdog: the next `devrig stop` ends everything", async () => {
  const { p, ports } = await fiveAndThree("sigkill2")
  const sup = p.supervisorPid()!
  const dogs = watchdogPids(p.dir)
  expect(dogs.length).toBe(1)
  for (const d of dogs) process.kill(d, "SIGKILL")
  process.kill(sup, "SIGKILL")
  await waitFor(() => !isAlive(sup) && dogs.every((d) => !isAlive(d)), "supervisor and watchdog to die", 5000)
  // Nobody cleans up on their own: the run is orphaned (this proves the next check means something).
  expect(markedPids(p.slug).length).toBeGreaterThanOrEqual(5)
  expect((await labelled(p.slug, false)).length).toBe(3)

  const r = await p.run(["stop"])
  expect(r.exitCode, r.stderr).toBe(0)
  expect(r.stdout).toContain("left by a previous run")
  await assertCleanedUp(p, ports, sup)
  // stop keeps containers (for a fast restart) but none runs; delete removes them
  expect(await labelled(p.slug, false)).toEqual([])
  const d = await p.run(["delete"])
  expect(d.exitCode, d.stderr).toBe(0)
  expect(await labelled(p.slug)).toEqual([])
}, 90_000)
