// Ready checks against real containers: cmd (redis), http, tcp, log, and the timeout path.
import { afterAll, beforeAll, expect, test } from "bun:test"
import type { ExternalError } from "../../../src/errors.ts"
import { deleteProject, upContainers } from "../../../src/docker/phase.ts"
import { execRun } from "../../../src/docker/exec.ts"
import { tcpConnect } from "../../../src/docker/ready.ts"
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

const port = async (container = 0) => ({ host: await freePort(), container, protocol: "tcp" as const, auto: false })

test("redis: cmd ready check with expect=PONG, redis-cli works", async () => {
  const id = ident("redis")
  const c = container("cache", { image: IMAGES.redis, port: await port(), readyCheck: { type: "cmd", command: "redis-cli ping", expect: "PONG" } })
  const up = await upContainers(id, [[c]])
  expect(up.cache!.ports.main!.container).toBe(6379)
  expect(await execRun(up.cache!.id, ["redis-cli", "set", "k", "v"])).toMatchObject({ exitCode: 0, output: "OK" })
  await deleteProject(id.slug)
  await assertNoResources(id.slug)
}, 30_000)

test("cmd ready check fails while expect is not in the output", async () => {
  const id = ident("cmdx")
  const c = container("echo", {
    image: IMAGES.busybox,
    command: ["sleep", "600"],
    readyCheck: { type: "cmd", command: ["echo", "PANG"], expect: "PONG", timeout: "1s" },
  })
  const err = (await upContainers(id, [[c]]).catch((e) => e)) as ExternalError
  expect(err.exitCode).toBe(2)
  expect(err.message).toMatch(/\[docker\.echo\] ready check \(cmd `echo PANG` expecting "PONG"\) did not pass within 1s/)
  expect(err.details[0]).toBe("last check output: PANG")
}, 30_000)

test("http: 2xx from the default url on the published port, once the server is up", async () => {
  const id = ident("http")
  const c = container("web", {
    image: IMAGES.busybox,
    port: await port(8080),
    command: ["sh", "-c", "mkdir -p /www && echo hi > /www/index.html && sleep 1 && exec httpd -f -p 8080 -h /www"],
    readyCheck: { type: "http" },
  })
  const t0 = Date.now()
  const up = await upContainers(id, [[c]])
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1000)
  const res = await fetch(`http://localhost:${up.web!.ports.main!.host}/`)
  expect(await res.text()).toBe("hi\n")
}, 30_000)

test("tcp: waits for the process itself, not docker-proxy's published port", async () => {
  const id = ident("tcp")
  const c = container("late", {
    image: IMAGES.busybox,
    port: await port(9000),
    command: ["sh", "-c", "sleep 2; exec nc -ll -p 9000 -e echo hello"],
    readyCheck: { type: "tcp" },
  })
  // docker-proxy accepts on the host port before anything listens inside.
  const t0 = Date.now()
  const up = await upContainers(id, [[c]])
  expect(Date.now() - t0).toBeGreaterThanOrEqual(2000)
  expect(await tcpConnect(up.late!.ip!, 9000, 1000)).toBe("open")
}, 30_000)

test("tcp: a published port with nothing listening never becomes ready", async () => {
  const id = ident("tcpn")
  const c = container("deaf", {
    image: IMAGES.busybox,
    port: await port(9000),
    command: ["sh", "-c", "echo deaf container up; sleep 600"],
    readyCheck: { type: "tcp", timeout: "1500ms" },
  })
  const err = (await upContainers(id, [[c]]).catch((e) => e)) as ExternalError
  expect(err.message).toContain("[docker.deaf] ready check (tcp) did not pass within 1s")
  expect(err.details[0]).toMatch(/refused the connection/)
  expect(err.details).toContain("  deaf container up")
}, 30_000)

test("log: ready when the line appears in this start's output", async () => {
  const id = ident("log")
  const c = container("svc", {
    image: IMAGES.busybox,
    command: ["sh", "-c", "echo booting; sleep 1; echo server started on 1234; sleep 600"],
    readyCheck: { type: "log", match: "server started" },
  })
  const lines: string[] = []
  const t0 = Date.now()
  const up = await upContainers(id, [[c]], { onLog: (_n, s, l) => lines.push(`${s}:${l}`) })
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1000)
  expect(lines).toContain("stdout:booting")
  up.svc!.stopLogs()
}, 30_000)

test("a container that never becomes ready: timeout error carries its last log lines", async () => {
  const id = ident("never")
  const c = container("stuck", {
    image: IMAGES.busybox,
    // stdout and stderr reach the log through separate pipes: the pause keeps their order.
    command: ["sh", "-c", "for i in $(seq 1 30); do echo line $i; done; sleep 0.3; echo oops >&2; sleep 600"],
    readyCheck: { type: "log", match: "never printed", timeout: "2s" },
  })
  const states: string[] = []
  const err = (await upContainers(id, [[c]], { onStatus: (n, s) => states.push(`${n}:${s}`) }).catch((e) => e)) as ExternalError
  expect(err.exitCode).toBe(2)
  expect(err.message).toBe('[docker.stuck] ready check (log "never printed") did not pass within 2s')
  expect(err.details).toContain("last 20 log lines:")
  const logLines = err.details.slice(err.details.indexOf("last 20 log lines:") + 1)
  expect(logLines).toHaveLength(20)
  expect(logLines).toContain("  line 30")
  expect(logLines).toContain("  oops")
  expect(logLines).not.toContain("  line 11")
  expect(states).toContain("stuck:failed")
}, 30_000)

test("a container that exits fails fast with its exit code and output", async () => {
  const id = ident("exit")
  const c = container("crash", {
    image: IMAGES.busybox,
    command: ["sh", "-c", "echo fatal: bad config >&2; exit 3"],
    readyCheck: { type: "cmd", command: "true", timeout: "120s" },
  })
  const t0 = Date.now()
  const err = (await upContainers(id, [[c]]).catch((e) => e)) as ExternalError
  // Well before the 120 s timeout: the exit is noticed on the next attempt.
  expect(Date.now() - t0).toBeLessThan(60_000)
  expect(err.message).toBe("[docker.crash] exited with code 3 before its ready check passed")
  expect(err.details).toContain("  fatal: bad config")
}, 90_000)
