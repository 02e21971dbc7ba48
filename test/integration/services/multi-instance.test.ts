// Several projects on one machine: same service names without cross-talk, port collisions named
// (another devrig project, or a plain process), and `ps --all` across projects.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { join } from "node:path"
import { tempProject } from "../../helpers/cli.ts"
import { assertCleanedUp, assertNoProcesses, envFile, freePort, httpStatus, killLeftovers, markedPids, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

const twin = `
[services.web]
command = "exec python3 -m http.server $PORT"
port = "auto"

[services.worker]
command = "env > worker.env; while :; do echo from-$DEVRIG_RUN; sleep 0.2; done"
`

/** One registry (XDG_STATE_HOME) shared by the projects of a test, so they see each other. */
const sharedXdg = () => join(tempProject().dir, "state")

test("two projects with the same service names run side by side; stopping one leaves the other running", async () => {
  const xdg = sharedXdg()
  const a = project("twin", twin, { xdg })
  const b = project("twin", twin, { xdg })
  expect(a.slug).not.toBe(b.slug) // same name, different paths
  await startDetached(a)
  await startDetached(b)
  const [aPs, bPs] = [await a.ps(), await b.ps()]
  const aPort = aPs.components.find((c) => c.name === "web")!.port!
  const bPort = bPs.components.find((c) => c.name === "web")!.port!
  expect(aPort).not.toBe(bPort)
  expect(aPs.supervisorPid).not.toBe(bPs.supervisorPid)

  // Each sees only its own project.
  await waitFor(() => a.read("worker.env") && b.read("worker.env"), "env dumps")
  expect(envFile(a, "worker.env").DEVRIG_WEB_PORT).toBe(String(aPort))
  expect(envFile(b, "worker.env").DEVRIG_WEB_PORT).toBe(String(bPort))
  const aPids = markedPids(a.slug)
  const bPids = markedPids(b.slug)
  expect(aPids.length).toBeGreaterThanOrEqual(2)
  expect(bPids.length).toBeGreaterThanOrEqual(2)
  expect(aPids.filter((x) => bPids.includes(x))).toEqual([])
  await waitFor(() => a.read(".devrig/logs/worker.log").includes("from-") && b.read(".devrig/logs/worker.log").includes("from-"), "worker output")
  expect(a.read(".devrig/logs/worker.log")).not.toContain(b.slug)
  expect(b.read(".devrig/logs/worker.log")).not.toContain(a.slug)

  const all = JSON.parse((await a.run(["ps", "--all", "--json"])).stdout) as { slug: string; running: boolean; services: number }[]
  expect(all.filter((i) => [a.slug, b.slug].includes(i.slug)).map((i) => i.running)).toEqual([true, true])

  await stop(a)
  await assertCleanedUp(a, [aPort], aPs.supervisorPid)
  // b is untouched: same processes, still answering.
  expect(await httpStatus(bPort)).toBe(200)
  expect(markedPids(b.slug, "web")).toEqual(bPids.filter((x) => markedPids(b.slug, "web").includes(x)))
  expect((await b.component("web")).pid).toBe(bPs.components.find((c) => c.name === "web")!.pid!)
  expect((await b.ps()).running).toBe(true)

  // ps --all: one running, one stopped — from either directory, or from anywhere.
  const text = await b.run(["ps", "--all"], { cwd: tempProject().dir })
  expect(text.exitCode).toBe(0)
  const rows = text.stdout.split("\n").filter((l) => l.includes("twin"))
  expect(rows.length).toBe(2)
  expect(rows.find((r) => r.includes(a.dir))).toMatch(/\b2\s+0\s+no\s+● stopped/)
  expect(rows.find((r) => r.includes(b.dir))).toMatch(/\b2\s+0\s+no\s+● running/)

  await stop(b)
  await assertCleanedUp(b, [bPort], bPs.supervisorPid)
})

test("a fixed port held by another devrig project: exit 1 naming that project; nothing of ours starts", async () => {
  const xdg = sharedXdg()
  const port = await freePort()
  const svc = `[services.web]\ncommand = "exec python3 -m http.server $PORT"\nport = ${port}\n\n[services.side]\ncommand = "sleep 600"\n`
  const owner = project("owner", svc, { xdg })
  const late = project("latecomer", svc, { xdg })
  await startDetached(owner)
  const sup = owner.supervisorPid()

  const r = await late.run(["start", "-d"])
  expect(r.exitCode).toBe(1)
  expect(r.stderr).toContain(`Port ${port} is already in use (by devrig project owner (${join(owner.dir, "devrig.toml")}))`)
  expect(r.stderr).toContain("Change [services.web] port in devrig.toml, or stop the other project first")
  assertNoProcesses(late.slug)
  expect((await late.ps()).running).toBe(false)
  // The foreground start says the same.
  const fg = await late.run(["start"])
  expect(fg.exitCode).toBe(1)
  expect(fg.stderr).toContain("by devrig project owner")
  assertNoProcesses(late.slug)

  expect(await httpStatus(port)).toBe(200)
  expect((await owner.ps()).running).toBe(true)
  await stop(owner)
  await assertCleanedUp(owner, [port], sup)
})

test("a fixed port held by a plain process: exit 1 naming its pid and command", async () => {
  const port = await freePort()
  const holder = Bun.spawn(["python3", "-m", "http.server", String(port)], { stdout: "ignore", stderr: "ignore" })
  let p: Project | undefined
  try {
    await waitFor(async () => (await httpStatus(port)) === 200, "the plain server")
    p = project("blocked", `[services.web]\ncommand = "exec python3 -m http.server $PORT"\nport = ${port}\n`)
    const r = await p.run(["start", "-d"])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`Port ${port} is already in use \\(by pid ${holder.pid}: \\S*python3 -m http.server ${port}\\)`))
    expect(r.stderr).toContain("Change [services.web] port in devrig.toml, or stop the other project first")
    assertNoProcesses(p.slug)
  } finally {
    holder.kill()
    await holder.exited
  }
  await assertCleanedUp(p!, [port])
})
