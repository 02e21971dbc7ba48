// upContainers as the supervisor uses it: layers, aliases, reuse, failure rollback, error messages.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { join } from "node:path"
import type { DevrigError } from "../../../src/errors.ts"
import { inspectContainer } from "../../../src/docker/containers.ts"
import { execRun } from "../../../src/docker/exec.ts"
import { deleteProject, upContainers } from "../../../src/docker/phase.ts"
import { LABEL_CONFIG, LABEL_HASH, LABEL_PROJECT, LABEL_SERVICE, names } from "../../../src/project/identity.ts"
import { IMAGES, assertNoResources, container, ensureTestImages, freePort, testIdentity } from "../../helpers/docker.ts"

const slugs: string[] = []
function ident(prefix: string) {
  const i = testIdentity(prefix)
  slugs.push(i.slug)
  return i
}

beforeAll(ensureTestImages, 300_000)
afterAll(async () => {
  for (const s of slugs) {
    await deleteProject(s)
    await assertNoResources(s)
  }
}, 60_000)

test("layers start in order; containers reach each other by config name; labels and Init are set", async () => {
  const id = ident("lay")
  const db = container("my-db", {
    image: IMAGES.busybox,
    command: ["sh", "-c", "mkdir -p /www && echo from-db > /www/index.html && exec httpd -f -p 80 -h /www"],
    readyCheck: { type: "tcp", port: 80 },
  })
  const app = container("app", { image: IMAGES.busybox, command: ["sleep", "600"], dependsOn: ["my-db"] })
  const order: string[] = []
  const up = await upContainers(id, [[db], [app]], { onStatus: (n, s) => s !== "pending" && order.push(`${n}:${s}`) })
  expect(order.indexOf("my-db:ready")).toBeLessThan(order.indexOf("app:starting"))
  expect(order.at(-1)).toBe("app:running")

  const fetched = await execRun(up.app!.id, ["wget", "-qO-", "http://my-db:80/"])
  expect(fetched).toMatchObject({ exitCode: 0, output: "from-db" })

  const info = (await inspectContainer(up.app!.id))!
  expect(info.name).toBe(names.container(id.slug, "app"))
  expect(info.labels).toMatchObject({ [LABEL_PROJECT]: id.slug, [LABEL_SERVICE]: "app", [LABEL_CONFIG]: id.configPath })
  expect(info.labels[LABEL_HASH]).toMatch(/^[0-9a-f]{16}$/)
  // PID 1 is the engine's init, so SIGTERM reaches `sleep` and the stop is quick.
  expect((await execRun(up.app!.id, ["cat", "/proc/1/cmdline"])).output).toContain("docker-init")
}, 30_000)

test("each container starts once its own dependencies are ready, not after a whole layer", async () => {
  const id = ident("bydeps")
  // slow and fast have no dependencies; after depends on fast only, so it must not wait for slow
  const slow = container("slow", { image: IMAGES.busybox, command: ["sh", "-c", "sleep 3; touch /tmp/ok; exec sleep 600"], readyCheck: { type: "cmd", command: "test -f /tmp/ok", timeout: "60s" } })
  const fast = container("fast", { image: IMAGES.busybox, command: ["sleep", "600"] })
  const after = container("after", { image: IMAGES.busybox, command: ["sleep", "600"], dependsOn: ["fast"] })
  const order: string[] = []
  await upContainers(id, [[slow, fast], [after]], { onStatus: (n, s) => s !== "pending" && order.push(`${n}:${s}`) })
  expect(order.indexOf("after:starting")).toBeGreaterThan(order.indexOf("fast:running"))
  expect(order.indexOf("after:running")).toBeLessThan(order.indexOf("slow:ready"))
}, 60_000)

test("an unchanged definition reuses the running container; a changed one recreates it", async () => {
  const id = ident("reuse")
  const c = container("box", { image: IMAGES.busybox, command: ["sleep", "600"], env: { A: "1" } })
  const first = await upContainers(id, [[c]])
  const again = await upContainers(id, [[c]])
  expect(again.box!.id).toBe(first.box!.id)
  expect(again.box!.created).toBe(false)
  const changed = await upContainers(id, [[{ ...c, env: { A: "2" } }]])
  expect(changed.box!.id).not.toBe(first.box!.id)
  expect(await inspectContainer(first.box!.id)).toBeUndefined()
  expect((await execRun(changed.box!.id, ["sh", "-c", "echo $A"])).output).toBe("2")
}, 30_000)

test("a failure part-way stops what this call started and names the component", async () => {
  const id = ident("fail")
  const ok = container("ok", { image: IMAGES.busybox, command: ["sleep", "600"] })
  const slow = container("slow", { image: IMAGES.busybox, command: ["sleep", "600"], readyCheck: { type: "cmd", command: "false", timeout: "120s" } })
  const bad = container("bad", { image: IMAGES.busybox, command: ["sh", "-c", "exit 4"], readyCheck: { type: "cmd", command: "true" } })
  // containers start by their own dependencies (the layers given are flattened): `never` waits for `bad`
  const never = container("never", { image: IMAGES.busybox, command: ["sleep", "600"], dependsOn: ["bad"] })
  const states: Record<string, string> = {}
  const t0 = Date.now()
  const err = (await upContainers(id, [[ok], [slow, bad], [never]], { onStatus: (n, s) => (states[n] = s) }).catch((e) => e)) as DevrigError
  // The sibling's 120 s ready check was cancelled, not waited out (seconds, even on a loaded machine).
  expect(Date.now() - t0).toBeLessThan(60_000)
  expect(err.exitCode).toBe(2)
  expect(err.message).toBe("[docker.bad] exited with code 4 before its ready check passed")
  expect(states).toEqual({ ok: "stopped", slow: "stopped", bad: "failed", never: "pending" })
  for (const n of ["ok", "slow", "bad"]) expect((await inspectContainer(names.container(id.slug, n)))?.running).toBe(false)
  expect(await inspectContainer(names.container(id.slug, "never"))).toBeUndefined()
}, 90_000)

test("a host port another project publishes: the error names its container", async () => {
  const [a, b] = [ident("porta"), ident("portb")]
  const port = await freePort()
  const c = container("web", { image: IMAGES.busybox, command: ["sleep", "600"], port: { host: port, container: 80, protocol: "tcp", auto: false } })
  await upContainers(a, [[c]])
  const err = (await upContainers(b, [[c]]).catch((e) => e)) as DevrigError
  expect(err.message).toBe(`[docker.web] Port ${port} is already in use (by ${names.container(a.slug, "web")})`)
  expect(err.hint).toContain("Change [docker.web] port in devrig.toml")
}, 30_000)

test("an image that is missing and cannot be pulled: the error names the image and the engine's reason", async () => {
  const id = ident("pull")
  const c = container("ghost", { image: "devrig-test/does-not-exist:1", command: ["true"] })
  const states: Record<string, string> = {}
  const err = (await upContainers(id, [[c]], { onStatus: (n, s) => (states[n] = s) }).catch((e) => e)) as DevrigError
  expect(err.exitCode).toBe(2)
  expect(err.message).toStartWith("Could not pull image devrig-test/does-not-exist:1: ")
  expect(err.message.length).toBeGreaterThan("Could not pull image devrig-test/does-not-exist:1: ".length + 5)
  expect(states.ghost).toBe("failed")
}, 60_000)

test('pull = "always" pulls even when the image is present (and fails here: no registry)', async () => {
  const id = ident("always")
  const c = container("box", { image: IMAGES.busybox, command: ["sleep", "600"], pull: "always" })
  const err = (await upContainers(id, [[c]]).catch((e) => e)) as DevrigError
  expect(err.message).toStartWith(`Could not pull image ${IMAGES.busybox}: `)
  expect(await upContainers(id, [[{ ...c, pull: "missing" }]])).toHaveProperty("box")
}, 60_000)

test("a published port on an image that exposes none needs container_port", async () => {
  const id = ident("amb")
  const c = container("x", { image: IMAGES.busybox, command: ["true"], port: { host: await freePort(), container: 0, protocol: "tcp", auto: false } })
  const err = (await upContainers(id, [[c]]).catch((e) => e)) as DevrigError
  expect(err.exitCode).toBe(1)
  expect(err.message).toBe(`[docker.x] image ${IMAGES.busybox} exposes no tcp port: set container_port`)
}, 30_000)

test("engine down: DOCKER_HOST pointing nowhere gives the 'Docker is not running' error", async () => {
  const script = `
    import { ping } from ${JSON.stringify(join(import.meta.dir, "../../../src/docker/client.ts"))}
    try { await ping(); console.log("reachable") } catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, hint: e.hint, exitCode: e.exitCode })) }
  `
  const proc = Bun.spawn(["bun", "-e", script], { env: { ...process.env, DOCKER_HOST: "unix:///nonexistent.sock" }, stdout: "pipe", stderr: "inherit" })
  const out = JSON.parse(await new Response(proc.stdout).text())
  expect(out).toEqual({
    name: "DockerUnavailableError",
    message: "Docker is not running (cannot reach /nonexistent.sock)",
    hint: "Start Docker Desktop or the docker service (sudo systemctl start docker), then retry",
    exitCode: 2,
  })
}, 30_000)
