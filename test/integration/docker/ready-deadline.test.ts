// A container ready check's timeout counts from the container's start, and the last attempt
// happens at the deadline: a container that becomes ready 2 s after it starts passes a 3 s check
// (devrig used to give up about 1.9 s in, between two backoff steps), for cmd, tcp and log checks;
// one that never becomes ready is given the whole 3 s.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { request } from "../../../src/docker/client.ts"
import { names } from "../../../src/project/identity.ts"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { project, startDetached, stop, type Project } from "../../helpers/proc-fixtures.ts"
import { cleanupProjects } from "../faults/helpers.ts"
import { deleteAndProve } from "./cli-fixtures.ts"

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
afterAll(() => cleanupProjects(made), 120_000)

/** Each becomes ready 2 s after its container starts. */
const LATE = {
  cmd: { command: `sleep 2; touch /tmp/ready; exec sleep 600`, check: `{ type = "cmd", command = "test -f /tmp/ready", timeout = "3s" }` },
  tcp: { command: `sleep 2; mkdir -p /www; exec httpd -f -p 7000 -h /www`, check: `{ type = "tcp", port = 7000, timeout = "3s" }` },
  log: { command: `sleep 2; echo now-ready; exec sleep 600`, check: `{ type = "log", match = "now-ready", timeout = "3s" }` },
}

const box = (command: string, check: string) => `
[docker.late]
image = "${IMAGES.busybox}"
command = ["sh", "-c", "${command}"]
ready_check = ${check}
stop_timeout = "1s"
`

for (const [kind, { command, check }] of Object.entries(LATE)) {
  test(`${kind} check: ready 2 s after the start passes a 3 s timeout`, async () => {
    const p = project(`late${kind}`, box(command, check))
    made.push(p)
    await startDetached(p)
    expect((await p.component("late")).state).toBe("ready")
    await stop(p)
    await deleteAndProve(p)
  }, 60_000)
}

test("a check that never passes is tried until 3 s after the container started", async () => {
  const p = project("never", box("exec sleep 600", `{ type = "cmd", command = "false", timeout = "3s" }`))
  made.push(p)
  const r = await p.run(["start", "-d"])
  expect(r.exitCode).toBe(2)
  expect(r.stderr).toContain("did not pass within 3s")
  // The failed start stopped the container: its run lasted at least the whole timeout.
  const c = await request<{ State: { StartedAt: string; FinishedAt: string } }>({
    method: "GET",
    path: `/containers/${names.container(p.slug, "late")}/json`,
    doing: "test inspect",
  })
  const ran = Date.parse(c.State.FinishedAt) - Date.parse(c.State.StartedAt)
  console.log(`[ready-deadline] the never-ready container ran ${ran} ms under a 3 s timeout`)
  expect(ran).toBeGreaterThanOrEqual(2990)
  await deleteAndProve(p)
}, 60_000)
