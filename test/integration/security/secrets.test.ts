// Values from env files are secrets: they never appear in `validate` (plain or --json), `ps`,
// `env`, `logs`, the supervisor log, the dashboard API or state files — unless --show-secrets
// asks for them, and then only where asked.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { assertCleanedUp, freePort, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"
import { removeLabelled } from "../faults/helpers.ts"

const TOKEN = "tok-8c1f0e5d93b7a2"
const PASSWORD = "pw-71d2c9e04ab3f6"

beforeAll(ensureTestImages, 300_000)
let p: Project
let sup = 0
let dash = 0

beforeAll(async () => {
  dash = await freePort()
  const [grpc, http] = await Promise.all([freePort(), freePort()])
  p = project(
    "secrets",
    `
[services.api]
command = "echo started api; exec sleep 600"
env_file = ".env.local"
env = { DATABASE_URL = "postgres://app:\${DB_PASSWORD}@localhost/app", PLAIN = "visible-value" }

[docker.db]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
env_file = ".env.local"
env = { POSTGRES_PASSWORD = "\${DB_PASSWORD}" }
port = "auto"
container_port = 5432
stop_timeout = "1s"

[dashboard]
port = ${dash}
[dashboard.otel]
grpc_port = ${grpc}
http_port = ${http}
`,
    { files: { ".env.local": `API_TOKEN=${TOKEN}\nDB_PASSWORD=${PASSWORD}\n` } },
  )
  await startDetached(p)
  sup = p.supervisorPid()!
  await waitFor(() => p.read(".devrig/logs/api.log").includes("started api"), "api output")
}, 120_000)

afterAll(async () => {
  await stop(p)
  await assertCleanedUp(p, [], sup)
  await p.run(["delete"])
  await removeLabelled(p.slug)
}, 60_000)

const leaks = (text: string) => [TOKEN, PASSWORD].filter((s) => text.includes(s))

test("validate, ps, env, logs and the dashboard API mask env-file values", async () => {
  const outputs: Record<string, string> = {}
  for (const args of [["validate"], ["validate", "--json"], ["ps"], ["ps", "--json"], ["env", "api"], ["logs"], ["logs", "--json"], ["ps", "--all"]]) {
    const r = await p.run(args)
    expect(r.exitCode, `${args.join(" ")}: ${r.stderr}`).toBe(0)
    outputs[args.join(" ")] = r.stdout + r.stderr
  }
  const token = p.read(".devrig/token").trim()
  for (const path of ["/api/env", "/api/env/api", "/api/status", "/api/config"]) {
    const res = await fetch(`http://127.0.0.1:${dash}${path}`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status, path).toBe(200)
    outputs[path] = await res.text()
  }
  const found = Object.entries(outputs).flatMap(([k, v]) => leaks(v).map((s) => `${k} shows ${s}`))
  expect(found).toEqual([])
  // masked, not missing
  expect(outputs["env api"]).toContain("API_TOKEN=****")
  expect(outputs["env api"]).toContain("DATABASE_URL=****") // derived from a secret
  expect(outputs["env api"]).toContain("PLAIN=visible-value")
  // a discovery URL built from an env-file password keeps its shape, without the password
  expect(outputs["env api"]).toMatch(/DEVRIG_DB_URL=postgres:\/\/postgres:\*\*\*\*@localhost:\d+/)
  expect(outputs["/api/env/api"]).toMatch(/"DEVRIG_DB_URL":"postgres:\/\/postgres:\*\*\*\*@localhost:\d+"/)
})

test("the supervisor log, the log files and the state files never hold the secrets", () => {
  const dir = join(p.dir, ".devrig")
  const found: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const f = join(d, e)
      const st = statSync(f)
      if (st.isDirectory()) walk(f)
      else if (st.isFile()) for (const s of leaks(readFileSync(f, "latin1"))) found.push(`${f.slice(dir.length + 1)} holds ${s}`)
    }
  }
  walk(dir)
  expect(found).toEqual([])
})

test("--show-secrets shows them where asked, and only there", async () => {
  const shown = await p.run(["env", "api", "--show-secrets"])
  expect(shown.stdout).toContain(`API_TOKEN=${TOKEN}`)
  expect(shown.stdout).toContain(`DATABASE_URL=postgres://app:${PASSWORD}@localhost/app`)
  expect(shown.stdout).toMatch(new RegExp(`DEVRIG_DB_URL=postgres://postgres:${PASSWORD}@localhost:\\d+`))
  const one = await p.run(["env", "api", "API_TOKEN"])
  expect(one.stdout.trim()).toBe(TOKEN)
  const plan = await p.run(["validate", "--show-secrets"])
  expect(plan.stdout).toContain(TOKEN)
  // asking once does not unmask anything afterwards
  expect(leaks((await p.run(["env", "api"])).stdout)).toEqual([])
  expect(leaks((await p.run(["validate"])).stdout)).toEqual([])
})
