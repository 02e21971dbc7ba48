// SERIAL: restarts the Docker engine, which breaks every other test using it, so this file runs
// alone, after the parallel suite (scripts/test runs test/serial/ last).
//
// While devrig runs with containers, dockerd is stopped (SIGTERM, like `systemctl restart
// docker`) and started again with the same command line. devrig must survive the outage, say so
// (at most once), reconnect, find its containers again by label, report that they were stopped by the
// restart, and bring them back on `devrig restart`.
//
// The engine is the one DOCKER_HOST points at (default socket); its pid comes from its pid file
// (DEVRIG_TEST_DOCKER_PIDFILE, default /var/run/docker.pid), and it is restarted with the argv
// read from /proc, output appended to DEVRIG_TEST_DOCKER_LOG (default /var/log/devrig-dockerd.log).
import { afterAll, beforeAll, expect, test } from "bun:test"
import { openSync, readFileSync } from "node:fs"
import { request } from "../../src/docker/client.ts"
import { names } from "../../src/project/identity.ts"
import { IMAGES, ensureTestImages } from "../helpers/docker.ts"
import { assertCleanedUp, cmdline, isAlive, project, startDetached, stop, waitFor, type Project } from "../helpers/proc-fixtures.ts"
import { cleanupProjects, labelled } from "../integration/faults/helpers.ts"

const PIDFILE = process.env.DEVRIG_TEST_DOCKER_PIDFILE ?? "/var/run/docker.pid"
const LOG = process.env.DEVRIG_TEST_DOCKER_LOG ?? "/var/log/devrig-dockerd.log"

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
afterAll(async () => {
  await waitFor(ping, "the engine (cleanup)", 30_000, 200).catch(() => {})
  await cleanupProjects(made)
})

async function ping(): Promise<boolean> {
  try {
    await request({ method: "GET", path: "/_ping", doing: "ping" })
    return true
  } catch {
    return false
  }
}

async function restartDockerd(): Promise<{ downMs: number }> {
  const pid = Number(readFileSync(PIDFILE, "utf8").trim())
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean)
  expect(cmdline(pid)).toContain("dockerd")
  const t = Date.now()
  process.kill(pid, "SIGTERM")
  await waitFor(() => !isAlive(pid), "dockerd to exit", 60_000, 100)
  const out = openSync(LOG, "a")
  // setsid: the new engine belongs to no test and outlives this one
  const proc = Bun.spawn(["setsid", ...argv], { stdin: "ignore", stdout: out, stderr: out, detached: true })
  proc.unref()
  await waitFor(ping, "the engine to answer again", 60_000, 200)
  return { downMs: Date.now() - t }
}

test("dockerd restart: devrig survives, reports the outage once, re-finds its containers by label, and `restart` brings them back", async () => {
  const p = project(
    "dockerd",
    `
[docker.box]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
stop_timeout = "1s"

[docker.cache]
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

  const { downMs } = await restartDockerd()
  console.log(`[docker-restart] engine was away for ${downMs} ms`)
  expect(isAlive(sup)).toBe(true)
  // without live-restore the engine stopped the containers: devrig notices and says so
  for (const n of ["box", "cache"]) {
    const c = await p.waitState(n, /failed|stopped|exited/, 10_000)
    expect(c.error ?? "").toMatch(/outside devrig|removed/)
  }
  // The outage is reported, once: each container's loss is one line in its own log (the watch
  // marks it failed, so later polls stay quiet). The engine stops the containers before it closes
  // its API, so whether a poll also fell into the outage is luck: "lost the connection" appears
  // at most once, and when it does, "reconnected" follows exactly once (it is written by the same
  // check that marks the containers failed, which waitState has already seen).
  for (const n of ["box", "cache"]) expect(p.read(`.devrig/logs/${n}.log`).match(/outside devrig/g)?.length ?? 0, `loss lines in ${n}.log`).toBe(1)
  const log = p.read(".devrig/supervisor.log")
  const lostLines = log.match(/lost the connection to the Docker engine/g)?.length ?? 0
  expect(lostLines).toBeLessThanOrEqual(1)
  expect(log.match(/reconnected to the Docker engine/g)?.length ?? 0).toBe(lostLines)
  expect(log).toMatch(/box .*outside devrig/)
  expect((await p.component("idle")).state).toBe("running")

  for (const n of ["box", "cache"]) {
    const r = await p.run(["restart", n])
    expect(r.exitCode, r.stderr).toBe(0)
    await p.waitState(n, /running|ready/, 15_000)
  }
  // the same containers (found by label), running again
  expect((await labelled(p.slug, false)).sort()).toEqual([names.container(p.slug, "box"), names.container(p.slug, "cache")].sort())

  await stop(p)
  await assertCleanedUp(p, [], sup)
  expect(await labelled(p.slug, false)).toEqual([])
  await p.run(["delete"])
  expect(await labelled(p.slug)).toEqual([])
}, 180_000)
