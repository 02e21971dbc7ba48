// Start scheduling: each component starts as soon as its own dependencies are ready. A service
// without dependencies does not wait for a slow container; its dependent does. Proven with
// devrig's own lifecycle event times, not the test's clock. Fail-fast still holds: a container
// that fails ends the services that already run (exit 2), and an interrupt during the start
// ends everything started so far.
import { expect, setDefaultTimeout, test } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import type { LogRecord } from "../../../src/server/api-types.ts"
import { listContainers } from "../../../src/docker/containers.ts"
import { LABEL_PROJECT } from "../../../src/project/identity.ts"
import { IMAGES, assertNoResources } from "../../helpers/docker.ts"
import { assertCleanedUp, markedPids, spawnDevrig, waitFor } from "../../helpers/proc-fixtures.ts"
import { eventOf, rig, started, stopLeftovers } from "./helpers.ts"

setDefaultTimeout(90_000)
stopLeftovers()

const at = (e: LogRecord | undefined) => Date.parse(e!.timestamp)
const find = (events: LogRecord[], kind: string) => events.find((e) => eventOf(e) === kind)
const running = async (slug: string) => (await listContainers({ label: [`${LABEL_PROJECT}=${slug}`] })).filter((c) => c.state === "running")

/** busybox that passes its ready check only ~3 s after it started */
const slowBox = (readyCheck = `{ type = "cmd", command = "test -f /tmp/ready", timeout = "60s" }`) => `
[docker.slow]
image = "${IMAGES.busybox}"
command = ["sh", "-c", "sleep 3; touch /tmp/ready; exec sleep 600"]
ready_check = ${readyCheck}
stop_timeout = "1s"
`

test("an independent service starts long before a slow container is ready; its dependent after", async () => {
  const r = await started(
    "sched",
    slowBox() +
      `
[services.free]
command = "exec sleep 600"

[services.dependent]
command = "exec sleep 600"
depends_on = ["slow"]
`,
  )
  try {
    const [slow, free, dependent] = await Promise.all(
      ["slow", "free", "dependent"].map((n) => waitFor(async () => ((await r.events(n)).some((e) => eventOf(e) === (n === "slow" ? "ready" : "start")) ? r.events(n) : undefined), `${n}'s events`)),
    )
    const slowStart = at(find(slow!, "start"))
    const slowReady = at(find(slow!, "ready"))
    const freeStart = at(find(free!, "start"))
    const depStart = at(find(dependent!, "start"))
    console.log(`[sched] slow starting +0 ms, ready +${slowReady - slowStart} ms; free started +${freeStart - slowStart} ms; dependent +${depStart - slowStart} ms`)
    expect(slowReady - slowStart).toBeGreaterThanOrEqual(2500) // the container really was slow
    // "well before": the independent service does not wait for any of the container's 3 s
    expect(freeStart).toBeLessThan(slowReady - 1500)
    expect(depStart).toBeGreaterThanOrEqual(slowReady)
  } finally {
    await r.finish()
    expect(await r.p.run(["delete"]).then((d) => d.exitCode)).toBe(0)
    await assertNoResources(r.p.slug)
  }
})

test("fail-fast: a container that fails after an independent service started ends everything, exit 2", async () => {
  const r = await rig("schedfail", slowBox(`{ type = "cmd", command = "false", timeout = "3s" }`) + `\n[services.free]\ncommand = "touch free.started; exec sleep 600"\n`)
  const res = await r.p.run(["start", "-d"])
  expect(res.exitCode, res.stdout + res.stderr).toBe(2)
  expect(res.stdout + res.stderr).toMatch(/slow/)
  // the service had been started (it did not wait for the container), and is gone again
  expect(existsSync(join(r.p.dir, "free.started"))).toBe(true)
  await assertCleanedUp(r.p, [r.ports.dashboard, r.ports.grpc, r.ports.http])
  expect(markedPids(r.p.slug)).toEqual([])
  expect(await running(r.p.slug)).toEqual([])
  expect((await r.p.run(["delete"])).exitCode).toBe(0)
  await assertNoResources(r.p.slug)
})

test("an interrupt while a container is still starting ends the services already running and the container", async () => {
  const r = await rig("schedint", slowBox(`{ type = "cmd", command = "false", timeout = "60s" }`) + `\n[services.free]\ncommand = "exec sleep 600"\n`)
  const run = spawnDevrig(r.p, ["start"])
  await waitFor(() => markedPids(r.p.slug, "free").length > 0, "the independent service to run while the container is not ready")
  await waitFor(async () => (await running(r.p.slug)).length === 1, "the container to run")
  run.proc.kill("SIGINT")
  await run.exited
  await waitFor(() => markedPids(r.p.slug).length === 0, "every process of the run to be gone", 15_000)
  await assertCleanedUp(r.p, [r.ports.dashboard, r.ports.grpc, r.ports.http], run.proc.pid)
  expect(await running(r.p.slug)).toEqual([])
  expect((await r.p.run(["delete"])).exitCode).toBe(0)
  await assertNoResources(r.p.slug)
})
