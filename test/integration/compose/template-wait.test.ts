// Components start as soon as their own dependencies are ready, so a service that does not
// depend on the compose stack may start before it is up — except one whose env uses
// `{{ compose.X.port }}`: that port exists only once X is up, so the service waits for X.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test"
import { join } from "node:path"
import { identity } from "../../../src/project/identity.ts"
import { killLeftovers, project, stop, waitFor } from "../../helpers/proc-fixtures.ts"
import { ensureImages, leftovers } from "./helpers.ts"

setDefaultTimeout(120_000)
beforeAll(ensureImages)
afterAll(killLeftovers)

const COMPOSE = `services:
  web:
    image: devrig-test/busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo hello-compose > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
    init: true
`

const CONFIG = `
[compose]
file = "docker-compose.yml"

[services.app]
command = "echo WEB=$WEB_URL; sleep 600"
env = { WEB_URL = "http://127.0.0.1:{{ compose.web.port }}/" }
`

test("a service whose env references {{ compose.web.port }} starts once web is up, with its port", async () => {
  const p = project("cmptpl", CONFIG, { files: { "docker-compose.yml": COMPOSE } })
  const ident = identity("cmptpl", join(p.dir, "devrig.toml"))
  try {
    const r = await p.run(["start", "-d"])
    expect(r.exitCode, r.stderr + p.read(".devrig/supervisor.log")).toBe(0)
    const line = await waitFor(() => p.read(".devrig/logs/app.log").match(/WEB=([^"\s]*)/), "app to print WEB")
    expect(line[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(await (await fetch(line[1]!)).text()).toContain("hello-compose")
    await stop(p)
  } finally {
    await p.run(["delete"])
    expect(await leftovers(ident)).toEqual({ containers: [], volumes: [], networks: [] })
  }
})
