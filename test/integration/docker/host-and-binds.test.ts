// What a container sees of the host: a relative bind mount to a folder that does not exist yet is
// created in the project (as Compose does) and said so, and `host.docker.internal` reaches a
// devrig service on the host (Docker Desktop provides the name; on Linux devrig adds it).
import { afterAll, beforeAll, expect, test } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { assertCleanedUp, freePort, isPortFree, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"
import { cleanupProjects } from "../faults/helpers.ts"
import { deleteAndProve } from "./cli-fixtures.ts"

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
afterAll(() => cleanupProjects(made), 120_000)

test("a relative bind mount to a missing folder: devrig creates it in the project and says so", async () => {
  const p = project(
    "bindmk",
    `
[docker.box]
image = "${IMAGES.busybox}"
command = ["sh", "-c", "echo from-container > /out/hello.txt; exec sleep 600"]
volumes = ["./var/deep/out:/out"]
stop_timeout = "1s"
`,
  )
  made.push(p)
  const dir = join(p.dir, "var", "deep", "out")
  expect(existsSync(dir)).toBe(false)
  const r = await startDetached(p)
  expect(r.stdout).toContain("created ./var/deep/out")
  await waitFor(() => existsSync(join(dir, "hello.txt")), "the container's file on the host")
  expect(readFileSync(join(dir, "hello.txt"), "utf8")).toBe("from-container\n")
  await stop(p)
  // Not a second time: the folder exists now.
  const again = await startDetached(p)
  expect(again.stdout).not.toContain("created ./var")
  await deleteAndProve(p)
}, 60_000)

test("host.docker.internal: a container calls a devrig service on the host", async () => {
  const port = await freePort()
  const p = project(
    "hostgw",
    `
[services.web]
# On Linux the name points at the bridge gateway: the service listens on every address.
command = "exec python3 -m http.server $PORT --bind 0.0.0.0"
port = ${port}

[docker.probe]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
stop_timeout = "1s"
`,
    { files: { "hello.txt": "from-the-host\n" } },
  )
  made.push(p)
  await startDetached(p)
  await p.waitState("web", /running|ready/)
  // busybox-static's wget segfaults on this lookup in the test image; a raw HTTP request over nc does the same.
  const r = await waitFor(
    async () => {
      const x = await p.run(["exec", "probe", "sh", "-c", `printf 'GET /hello.txt HTTP/1.0\\r\\n\\r\\n' | nc -w 5 host.docker.internal ${port}`])
      return x.stdout.includes("from-the-host") ? x : undefined
    },
    "the container to reach the host service",
    15_000,
    200,
  )
  expect(r.stdout).toMatch(/^HTTP\/1\.0 200/)
  const sup = p.supervisorPid()
  await stop(p)
  await assertCleanedUp(p, [port], sup)
  expect(await isPortFree(port)).toBe(true)
  await deleteAndProve(p)
}, 60_000)
