// POST /api/config/validate and PUT /api/config through app.handle (no port), on a real temp file.
import { afterAll, describe, expect, test } from "bun:test"
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TelemetryStore } from "../../../src/otel/store.ts"
import type { ConfigConflict, ConfigRefused, ConfigResponse, ConfigSaveResponse, ConfigValidateResponse } from "../../../src/server/api-types.ts"
import { createApp } from "../../../src/server/app.ts"
import type { Controller } from "../../../src/server/controller.ts"

const VALID = `[project]
name = "shop"

[services.api]
command = "sleep 1000"
`
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function setup(source = VALID) {
  const dir = mkdtempSync(join(tmpdir(), "devrig-config-api-"))
  dirs.push(dir)
  const path = join(dir, "devrig.toml")
  writeFileSync(path, source)
  const controller: Controller = {
    status: () => ({ project: { name: "shop", id: "0", slug: "shop-0", configPath: path }, supervisorPid: process.pid, components: [] }),
    env: () => ({}),
    action: async () => {},
    config: () => ({ path, source: "# the running config", problems: [] }),
    subscribe: () => () => {},
  }
  const store = new TelemetryStore({ traceBuffer: 10, metricBuffer: 10, logBuffer: 10, retentionMs: 1e13 })
  const app = createApp({ store, controller, guard: { token: undefined, port: () => 80 } })
  const call = (p: string, init: RequestInit = {}) => app.handle(new Request(`http://localhost${p}`, init))
  /** the revision of the file as the editor would load it */
  const rev = async () => ((await (await call("/api/config")).json()) as ConfigResponse).revision
  return { dir, path, call, rev }
}

describe("POST /api/config/validate", () => {
  test("valid text has no problems and nothing is written", async () => {
    const { path, call } = setup()
    const text = VALID.replace("sleep 1000", "sleep 2000")
    const res = await call("/api/config/validate", { method: "POST", body: text, headers: { "content-type": "text/plain" } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as ConfigValidateResponse).problems).toEqual([])
    expect(readFileSync(path, "utf8")).toBe(VALID)
  })

  test("a schema error and a TOML syntax error come back at line:column", async () => {
    const { call } = setup()
    const bad = VALID.replace('command = "sleep 1000"', 'command = "sleep 1000"\nrestart = "sometimes"')
    const schema = (await (await call("/api/config/validate", { method: "POST", body: bad })).json()) as ConfigValidateResponse
    expect(schema.problems.length).toBeGreaterThan(0)
    expect(schema.problems[0]!.line).toBe(6)
    expect(schema.problems[0]!.message).toMatch(/restart/)
    const syntax = (await (await call("/api/config/validate", { method: "POST", body: '[project]\nname = "shop\n' })).json()) as ConfigValidateResponse
    expect(syntax.problems).toHaveLength(1)
    expect(syntax.problems[0]!.line).toBe(2)
    expect(syntax.problems[0]!.message).toMatch(/invalid TOML/)
  })

  test("a hostile Origin or Host is refused with 403", async () => {
    const { call } = setup()
    expect((await call("/api/config/validate", { method: "POST", body: VALID, headers: { origin: "https://evil.example" } })).status).toBe(403)
    expect((await call("/api/config/validate", { method: "POST", body: VALID, headers: { host: "attacker.example:4000" } })).status).toBe(403)
    // the dashboard's own origin (this app thinks it is on port 80); another port of localhost is foreign
    expect((await call("/api/config/validate", { method: "POST", body: VALID, headers: { origin: "http://localhost" } })).status).toBe(200)
    expect((await call("/api/config/validate", { method: "POST", body: VALID, headers: { origin: "http://localhost:3000" } })).status).toBe(403)
  })
})

describe("PUT /api/config", () => {
  test("valid text is written atomically and reported", async () => {
    const { dir, path, call, rev } = setup()
    chmodSync(path, 0o600)
    const text = VALID.replace('command = "sleep 1000"', 'command = "sleep 1000"\nenv = { GREETING = "hi" }')
    const res = await call(`/api/config?base=${await rev()}`, { method: "PUT", body: text })
    expect(res.status).toBe(200)
    const body = (await res.json()) as ConfigSaveResponse
    expect(body).toMatchObject({ saved: true, changed: true, problems: [] })
    expect(readFileSync(path, "utf8")).toBe(text)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([])
    const again = (await (await call(`/api/config?base=${body.revision}`, { method: "PUT", body: text })).json()) as ConfigSaveResponse
    expect(again.changed).toBe(false)
  })

  test("invalid text is refused with 422 and its problems; the file is unchanged", async () => {
    const { path, call, rev } = setup()
    const res = await call(`/api/config?base=${await rev()}`, { method: "PUT", body: VALID + "\n[services.api]\n" })
    expect(res.status).toBe(422)
    const body = (await res.json()) as ConfigRefused
    expect(body.error.code).toBe("INVALID_CONFIG")
    expect(body.problems[0]!.line).toBe(7)
    expect(readFileSync(path, "utf8")).toBe(VALID)
  })

  test("?force=1 saves invalid text anyway, with its problems", async () => {
    const { path, call, rev } = setup()
    const bad = VALID.replace("[services.api]", "[services.api]\nbogus = 1")
    const res = await call(`/api/config?force=1&base=${await rev()}`, { method: "PUT", body: bad })
    expect(res.status).toBe(200)
    expect(((await res.json()) as ConfigSaveResponse).problems.length).toBeGreaterThan(0)
    expect(readFileSync(path, "utf8")).toBe(bad)
  })

  test("?base= refuses with 409 when the file changed on disk since", async () => {
    const { path, call } = setup()
    const loaded = (await (await call("/api/config")).json()) as ConfigResponse
    expect(loaded.source).toBe(VALID) // the file, not the controller's running copy
    writeFileSync(path, VALID.replace("sleep 1000", "sleep 5")) // edited in another editor
    const res = await call(`/api/config?base=${loaded.revision}`, { method: "PUT", body: VALID.replace("sleep 1000", "sleep 7") })
    expect(res.status).toBe(409)
    const body = (await res.json()) as ConfigConflict
    expect(body.error.code).toBe("CONFLICT")
    expect(readFileSync(path, "utf8")).toContain("sleep 5")
    const fresh = (await (await call("/api/config")).json()) as ConfigResponse
    expect(fresh.revision).toBe(body.revision)
    expect((await call(`/api/config?base=${fresh.revision}`, { method: "PUT", body: VALID })).status).toBe(200)
  })

  test("force skips validation but never the conflict check: a stale base is 409, nothing written", async () => {
    const { path, call, rev } = setup()
    const base = await rev()
    writeFileSync(path, VALID.replace("sleep 1000", "sleep 5")) // git checkout, another editor
    const bad = VALID.replace("[services.api]", "[services.api]\nbogus = 1")
    for (const q of [`force=1&base=${base}`, `force=true&base=${base}`]) {
      const res = await call(`/api/config?${q}`, { method: "PUT", body: bad })
      expect(res.status).toBe(409)
      expect(((await res.json()) as ConfigConflict).revision).toBe((await rev())!)
    }
    expect(readFileSync(path, "utf8")).toContain("sleep 5")
  })

  test("base is required: a PUT without it is 400 and writes nothing", async () => {
    const { path, call } = setup()
    for (const q of ["", "?force=1", "?base="]) {
      const res = await call(`/api/config${q}`, { method: "PUT", body: VALID.replace("sleep 1000", "sleep 9") })
      expect(res.status).toBe(400)
      expect(((await res.json()) as ConfigRefused).error.message).toContain("base is required")
    }
    expect(readFileSync(path, "utf8")).toBe(VALID)
  })

  test("a symlinked devrig.toml stays a symlink", async () => {
    const { dir, path, call, rev } = setup()
    const real = join(dir, "real.toml")
    writeFileSync(real, VALID)
    rmSync(path)
    symlinkSync(real, path)
    const text = VALID.replace("sleep 1000", "sleep 3")
    expect((await call(`/api/config?base=${await rev()}`, { method: "PUT", body: text })).status).toBe(200)
    expect(lstatSync(path).isSymbolicLink()).toBe(true)
    expect(readlinkSync(path)).toBe(real)
    expect(readFileSync(real, "utf8")).toBe(text)
  })

  test("a hostile Origin is refused with 403 and nothing is written", async () => {
    const { path, call } = setup()
    for (const origin of ["https://evil.example", "null"]) {
      const res = await call("/api/config?force=1", { method: "PUT", body: "x = 1", headers: { origin } })
      expect(res.status).toBe(403)
      expect(((await res.json()) as ConfigRefused).error.code).toBe("FORBIDDEN")
    }
    expect(readFileSync(path, "utf8")).toBe(VALID)
  })
})
