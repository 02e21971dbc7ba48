// Endpoint resolution order, on real sockets in temp dirs (the default socket is whatever this
// machine has, so the well-known order is checked on the list itself and on HOME-relative sockets).
import { afterEach, expect, test } from "bun:test"
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dockerEnv, resolveEndpoint, wellKnownSockets } from "../../../src/docker/endpoint.ts"

const saved = { ...process.env }
const servers: Server[] = []
afterEach(() => {
  for (const k of ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "XDG_RUNTIME_DIR", "HOME"]) {
    if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
  }
  for (const s of servers.splice(0)) s.close()
})

function listen(path: string): Promise<void> {
  mkdirSync(join(path, ".."), { recursive: true })
  const s = createServer()
  servers.push(s)
  return new Promise((r) => s.listen(path, r))
}

test("the well-known sockets, in the documented order", () => {
  process.env.HOME = "/h"
  process.env.XDG_RUNTIME_DIR = "/run/user/501"
  expect(wellKnownSockets().map((s) => s.path)).toEqual([
    "/var/run/docker.sock",
    "/run/user/501/docker.sock",
    "/h/.docker/run/docker.sock",
    "/h/.orbstack/run/docker.sock",
    "/h/.colima/default/docker.sock",
    "/h/.rd/docker.sock",
    "/run/user/501/podman/podman.sock",
  ])
  delete process.env.XDG_RUNTIME_DIR
  expect(wellKnownSockets().map((s) => s.path)).not.toContain("/run/user/501/docker.sock")
})

test("DOCKER_HOST beats DOCKER_CONTEXT (as in the docker CLI); children get the same endpoint", () => {
  process.env.DOCKER_HOST = "tcp://127.0.0.1:1"
  process.env.DOCKER_CONTEXT = "whatever"
  expect(resolveEndpoint()).toEqual({ host: "tcp://127.0.0.1:1", source: "DOCKER_HOST" })
  expect(dockerEnv()).toEqual({ DOCKER_HOST: "tcp://127.0.0.1:1", DOCKER_CONTEXT: "" })
})

test("DOCKER_CONTEXT beats config.json; the context named 'default' falls through to the sockets", async () => {
  delete process.env.DOCKER_HOST
  const dir = mkdtempSync(join(tmpdir(), "devrig-ep-"))
  process.env.DOCKER_CONFIG = dir
  const meta = (name: string, host: string) => {
    const d = join(dir, "contexts", "meta", createHash("sha256").update(name).digest("hex"))
    mkdirSync(d, { recursive: true })
    writeFileSync(join(d, "meta.json"), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }))
  }
  meta("a", "unix:///a.sock")
  meta("b", "unix:///b.sock")
  writeFileSync(join(dir, "config.json"), JSON.stringify({ currentContext: "a" }))
  delete process.env.DOCKER_CONTEXT
  expect(resolveEndpoint().host).toBe("unix:///a.sock")
  process.env.DOCKER_CONTEXT = "b"
  expect(resolveEndpoint()).toMatchObject({ host: "unix:///b.sock", source: 'context "b" (DOCKER_CONTEXT)' })
  process.env.DOCKER_CONTEXT = "default"
  expect(resolveEndpoint().source).not.toContain("context")
})

test("a Desktop socket under HOME is found only when it is a socket", async () => {
  delete process.env.DOCKER_HOST
  delete process.env.DOCKER_CONTEXT
  delete process.env.XDG_RUNTIME_DIR
  const home = mkdtempSync(join(tmpdir(), "devrig-ep-home-"))
  process.env.HOME = home
  process.env.DOCKER_CONFIG = join(home, "none")
  const colima = join(home, ".colima", "default", "docker.sock")
  mkdirSync(join(home, ".docker", "run"), { recursive: true })
  writeFileSync(join(home, ".docker", "run", "docker.sock"), "") // a plain file is not an engine
  await listen(colima)
  const r = resolveEndpoint()
  // On a machine with the default socket, that one wins; otherwise colima's.
  if (r.source === "the default socket") expect(r.host).toBe("unix:///var/run/docker.sock")
  else expect(r).toEqual({ host: `unix://${colima}`, source: "colima socket" })
})
