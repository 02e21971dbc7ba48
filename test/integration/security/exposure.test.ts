// What a running devrig exposes: every TCP listener of the supervisor (dashboard/API, OTLP
// gRPC and HTTP) is on loopback, published container ports bind 127.0.0.1, the control socket
// is 0600 and .devrig/ 0700; the API and the WebSocket refuse forged Host and foreign Origin.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { statSync } from "node:fs"
import { join } from "node:path"
import { inspectContainer } from "../../../src/docker/containers.ts"
import { request } from "../../../src/docker/client.ts"
import { names } from "../../../src/project/identity.ts"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { assertCleanedUp, freePort, project, startDetached, stop, type Project } from "../../helpers/proc-fixtures.ts"
import { removeLabelled } from "../faults/helpers.ts"
import { isLoopback, listeningAddresses, rawHttp } from "./helpers.ts"

beforeAll(ensureTestImages, 300_000)
let p: Project
let ports: number[] = []
let sup = 0

beforeAll(async () => {
  const [dash, grpc, http, web, box] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()])
  ports = [dash, grpc, http, web, box]
  p = project(
    "exposure",
    `
[services.web]
command = "exec python3 -m http.server $PORT --bind 127.0.0.1"
port = ${web}

[docker.box]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
port = ${box}
container_port = 7000
stop_timeout = "1s"

[dashboard]
port = ${dash}
[dashboard.otel]
grpc_port = ${grpc}
http_port = ${http}
`,
  )
  await startDetached(p)
  sup = p.supervisorPid()!
}, 120_000)

afterAll(async () => {
  await stop(p)
  await assertCleanedUp(p, ports, sup)
  await p.run(["delete"])
  await removeLabelled(p.slug)
}, 60_000)

test("every TCP listener of the supervisor is on loopback; published container ports bind 127.0.0.1", async () => {
  const [dash, grpc, http, , box] = ports
  const listening = listeningAddresses(sup)
  const byPort = new Map(listening.map((l) => [l.port, l]))
  for (const port of [dash!, grpc!, http!]) expect(byPort.has(port), `supervisor listens on ${port}`).toBe(true)
  const exposed = listening.filter((l) => !isLoopback(l))
  expect(exposed, "listeners not on loopback (0.0.0.0 / ::)").toEqual([])
  const info = await request<{ HostConfig: { PortBindings: Record<string, { HostIp: string; HostPort: string }[]> } }>({
    method: "GET",
    path: `/containers/${names.container(p.slug, "box")}/json`,
    doing: "test",
  })
  const bindings = Object.values(info.HostConfig.PortBindings).flat()
  expect(bindings).toEqual([{ HostIp: "127.0.0.1", HostPort: String(box) }])
  expect(await inspectContainer(names.container(p.slug, "box"))).toBeTruthy()
})

test("the control socket is 0600 and .devrig/ is 0700", () => {
  const dir = join(p.dir, ".devrig")
  expect((statSync(dir).mode & 0o777).toString(8)).toBe("700")
  const sock = statSync(join(dir, "control.sock"))
  expect(sock.isSocket()).toBe(true)
  expect((sock.mode & 0o777).toString(8)).toBe("600")
  for (const f of ["state.json", "supervisor.log", "token"]) expect(statSync(join(dir, f)).mode & 0o077, `${f} is private`).toBe(0)
})

test("forged Host (DNS rebinding) and foreign Origin are refused by the API and the WebSocket; local ones work", async () => {
  const dash = ports[0]!
  const auth = `Authorization: Bearer ${p.read(".devrig/token").trim()}`
  const upgrade = ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
  const cases: [string, string[], number][] = [
    ["GET status, rebinding Host", ["GET /api/status HTTP/1.1", "Host: evil.example:" + dash], 403],
    ["POST restart, rebinding Host", ["POST /api/services/web/restart HTTP/1.1", "Host: attacker.test"], 403],
    ["POST restart, foreign Origin", ["POST /api/services/web/restart HTTP/1.1", `Host: 127.0.0.1:${dash}`, "Origin: https://evil.example"], 403],
    ["POST stop, null Origin", ["POST /api/services/web/stop HTTP/1.1", `Host: localhost:${dash}`, "Origin: null"], 403],
    ["POST stop, Origin on a look-alike host", ["POST /api/services/web/stop HTTP/1.1", `Host: localhost:${dash}`, "Origin: http://127.0.0.1.evil.example"], 403],
    ["WebSocket, foreign Origin", ["GET /api/ws HTTP/1.1", `Host: 127.0.0.1:${dash}`, "Origin: https://evil.example", ...upgrade], 403],
    ["WebSocket, rebinding Host", ["GET /api/ws HTTP/1.1", "Host: evil.example", ...upgrade], 403],
    ["POST restart, another port of localhost, with the token", ["POST /api/services/web/restart HTTP/1.1", `Host: 127.0.0.1:${dash}`, "Origin: http://localhost:3000", auth], 403],
    ["WebSocket, another port of 127.0.0.1, with the token", ["GET /api/ws HTTP/1.1", `Host: 127.0.0.1:${dash}`, "Origin: http://127.0.0.1:5173", auth, ...upgrade], 403],
    ["GET status, local, no token", ["GET /api/status HTTP/1.1", `Host: 127.0.0.1:${dash}`], 401],
    ["GET status, local", ["GET /api/status HTTP/1.1", `Host: 127.0.0.1:${dash}`, auth], 200],
    ["WebSocket, local Origin", ["GET /api/ws HTTP/1.1", `Host: localhost:${dash}`, `Origin: http://localhost:${dash}`, auth, ...upgrade], 101],
  ]
  const got: string[] = []
  for (const [what, lines, want] of cases) {
    const r = await rawHttp(dash, lines)
    if (r.status !== want) got.push(`${what}: ${r.status}, want ${want}`)
  }
  expect(got).toEqual([])
  // none of the refused actions happened
  expect((await p.component("web")).state).toBe("running")
  expect((await p.component("web")).restarts).toBe(0)
})
