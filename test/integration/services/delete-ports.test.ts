// `delete` wipes .devrig/ (state, logs, the stored auto ports) and the registry entry; auto ports
// persist across stop/start and come back from the slug hash after delete (while free).
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { existsSync, readFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { join } from "node:path"
import { assertCleanedUp, httpStatus, killLeftovers, project, startDetached, stop, type Project } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

const body = `
[services.web]
command = "exec python3 -m http.server $PORT"
port = "auto"
`

async function webPort(p: Project): Promise<number> {
  const c = await p.component("web")
  expect(c.state).toBe("running")
  expect(c.autoPort).toBe(true)
  return c.port!
}

const storedPorts = (p: Project) => (JSON.parse(readFileSync(join(p.dir, ".devrig", "state.json"), "utf8")) as { autoPorts: Record<string, number> }).autoPorts

function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen({ port, host: "0.0.0.0" }, () => resolve(s))
  })
}

test("delete of a running project: stops it, removes .devrig/ and the registry entry", async () => {
  const p = project("del", body)
  const r = await startDetached(p)
  const port = await webPort(p)
  expect(r.stdout).toContain(`http://localhost:${port} (auto)`)
  expect(await httpStatus(port)).toBe(200)
  const sup = p.supervisorPid()
  const registry = join(p.xdg, "devrig", "instances", `${p.slug}.json`)
  expect(existsSync(registry)).toBe(true)
  for (const f of ["state.json", "logs/web.log", "supervisor.log"]) expect(existsSync(join(p.dir, ".devrig", f))).toBe(true)

  const d = await p.run(["delete"])
  expect(d.exitCode).toBe(0)
  expect(d.stdout).toContain("Deleted del")
  expect(existsSync(join(p.dir, ".devrig"))).toBe(false)
  expect(existsSync(registry)).toBe(false)
  await assertCleanedUp(p, [port], sup)

  // A second start from scratch works identically.
  await startDetached(p)
  expect(await webPort(p)).toBe(port)
  const sup2 = p.supervisorPid()
  expect((await p.run(["delete"])).exitCode).toBe(0)
  expect(existsSync(join(p.dir, ".devrig"))).toBe(false)
  await assertCleanedUp(p, [port], sup2)
})

test("delete of a stopped project removes state and logs", async () => {
  const p = project("delstopped", body)
  await startDetached(p)
  const port = await webPort(p)
  const sup = p.supervisorPid()
  await stop(p)
  expect(existsSync(join(p.dir, ".devrig", "logs", "web.log"))).toBe(true)
  const d = await p.run(["delete"])
  expect(d.exitCode).toBe(0)
  expect(existsSync(join(p.dir, ".devrig"))).toBe(false)
  await assertCleanedUp(p, [port], sup)
})

test("auto port: stored, kept across stop/start, the same again after delete while free, moved when taken", async () => {
  const p = project("autoport", body)
  await startDetached(p)
  const first = await webPort(p)
  expect(first).toBeGreaterThanOrEqual(10000)
  expect(first).toBeLessThanOrEqual(65000)
  expect(storedPorts(p)).toEqual({ "services.web": first })
  // PORT and the discovery vars carry the assigned port.
  expect((await p.run(["env", "web", "PORT"])).stdout.trim()).toBe(String(first))
  await stop(p)
  await assertCleanedUp(p, [first])

  await startDetached(p)
  expect(await webPort(p)).toBe(first)
  expect(await httpStatus(first)).toBe(200)
  await stop(p)

  expect((await p.run(["delete"])).exitCode).toBe(0)
  await startDetached(p)
  expect(await webPort(p)).toBe(first) // derived from the slug hash, not from state
  expect((await p.run(["delete"])).exitCode).toBe(0)
  await assertCleanedUp(p, [first])

  // Taken by someone else after a delete: another port, and nothing breaks.
  const blocker = await hold(first)
  try {
    await startDetached(p)
    const moved = await webPort(p)
    expect(moved).not.toBe(first)
    expect(await httpStatus(moved)).toBe(200)
    const sup = p.supervisorPid()
    await stop(p)
    await assertCleanedUp(p, [moved], sup)
  } finally {
    blocker.close()
  }
})
