// The token is per run (a new one at each start, gone at stop, the old one refused), and
// `[dashboard] auth = false` opens the API to local processes — with a warning in the summary,
// while foreign origins stay refused.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { assertCleanedUp, freePort, project, startDetached, stop, type Project } from "../../helpers/proc-fixtures.ts"

let p: Project
let ports: number[] = []

const config = (auth: boolean) => `
[services.idle]
command = "exec sleep 600"

[dashboard]
port = ${ports[0]}
${auth ? "" : "auth = false"}
[dashboard.otel]
grpc_port = ${ports[1]}
http_port = ${ports[2]}
`

beforeAll(async () => {
  ports = await Promise.all([freePort(), freePort(), freePort()])
  p = project("authoff", config(true))
})

afterAll(async () => {
  await p.run(["stop"])
  await p.run(["delete"])
}, 60_000)

const status = (headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${ports[0]}/api/status`, { headers }).then((r) => r.status)
const tokenFile = () => join(p.dir, ".devrig", "token")

test("each start makes a new token; stop removes it; the previous run's token is refused", async () => {
  await startDetached(p)
  const first = p.read(".devrig/token").trim()
  expect(await status({ authorization: `Bearer ${first}` })).toBe(200)
  const sup = p.supervisorPid()
  await stop(p)
  expect(existsSync(tokenFile())).toBe(false)
  await assertCleanedUp(p, ports, sup)

  const r = await startDetached(p)
  const second = p.read(".devrig/token").trim()
  expect(second).not.toBe(first)
  expect(r.stdout).toContain(`/?t=${second}`)
  expect(r.stdout).not.toContain("auth is off")
  expect(await status({ authorization: `Bearer ${first}` })).toBe(401)
  expect(await status({ authorization: `Bearer ${second}` })).toBe(200)
  const sup2 = p.supervisorPid()
  await stop(p)
  await assertCleanedUp(p, ports, sup2)
}, 90_000)

test("auth = false: the API is open to local processes, the summary warns, foreign origins are still refused", async () => {
  p.write("devrig.toml", `[project]\nname = "authoff"\n${config(false)}`)
  const r = await startDetached(p)
  const sup = p.supervisorPid()
  try {
    expect(existsSync(tokenFile())).toBe(false)
    expect(r.stdout).toContain("dashboard auth is off")
    expect(r.stdout).toContain(`http://127.0.0.1:${ports[0]}\n`)
    expect(r.stdout).not.toContain("?t=")
    expect(await status()).toBe(200)
    const page = await fetch(`http://127.0.0.1:${ports[0]}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get("x-frame-options")).toBe("DENY")
    const foreign = await fetch(`http://127.0.0.1:${ports[0]}/api/services/idle/stop`, { method: "POST", headers: { origin: "http://localhost:3000" } })
    expect(foreign.status).toBe(403)
    const q = await p.run(["query", "status"])
    expect(q.exitCode, q.stderr).toBe(0)
    expect((await p.component("idle")).state).toBe("running")
  } finally {
    await stop(p)
    await assertCleanedUp(p, ports, sup)
  }
}, 90_000)
