// Which project a command acts on: `-f` alternate config files (their own identity) and
// devrig.toml found by walking up from a nested directory.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { tempProject } from "../../helpers/cli.ts"
import { assertCleanedUp, assertNoProcesses, freePort, httpStatus, killLeftovers, markedPids, project, slugFor, startDetached } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

test("-f: starts, lists and stops the alternate config as its own project", async () => {
  const port = await freePort()
  const p = project("main", `[services.full]\ncommand = "sleep 600"\n`)
  const alt = p.write("devrig.minimal.toml", `[project]\nname = "mini"\n\n[services.web]\ncommand = "exec python3 -m http.server $PORT"\nport = ${port}\n`)
  const altSlug = slugFor("mini", alt)
  expect(altSlug).not.toBe(p.slug)

  // -f before the command and after it
  const r = await p.run(["-f", "devrig.minimal.toml", "start", "-d"])
  expect(r.exitCode, r.stderr).toBe(0)
  expect(r.stdout).toContain("mini")
  expect(r.stdout).not.toContain("full")
  expect(await httpStatus(port)).toBe(200)
  expect(markedPids(altSlug, "web").length).toBeGreaterThan(0)
  assertNoProcesses(p.slug) // devrig.toml's services did not start

  const ps = JSON.parse((await p.run(["ps", "--json", "-f", "devrig.minimal.toml"])).stdout)
  expect(ps.project.slug).toBe(altSlug)
  expect(ps.running).toBe(true)
  expect(ps.components.map((c: { name: string }) => c.name)).toEqual(["web"])
  const sup = ps.supervisorPid
  const s = await p.run(["stop", "-f", "devrig.minimal.toml"])
  expect(s.exitCode).toBe(0)
  expect(s.stdout).toContain("Stopped mini")
  assertNoProcesses(altSlug)
  await assertCleanedUp(p, [port], sup)
})

// Two config files in one directory are two projects (two slugs), so they must not share the
// supervisor, socket and stored ports of one `.devrig/`.
test("-f: the default config of the same directory does not see the alternate one's run", async () => {
  const p = project("main2", `[services.full]\ncommand = "sleep 600"\n`)
  const alt = p.write("devrig.minimal.toml", `[project]\nname = "mini2"\n\n[services.web]\ncommand = "sleep 600"\n`)
  const altSlug = slugFor("mini2", alt)
  expect((await p.run(["-f", "devrig.minimal.toml", "start", "-d"])).exitCode).toBe(0)
  const altPs = JSON.parse((await p.run(["-f", "devrig.minimal.toml", "ps", "--json"])).stdout)
  try {
    expect((await p.ps()).running).toBe(false)
    expect((await p.run(["stop"])).stdout).toContain("main2 is not running")
    expect(markedPids(altSlug, "web").length).toBeGreaterThan(0)
  } finally {
    await p.run(["-f", "devrig.minimal.toml", "stop"])
  }
  assertNoProcesses(altSlug)
  await assertCleanedUp(p, [], altPs.supervisorPid)
})

test("-f with a missing file: exit 1 naming it", async () => {
  const p = project("nofile", `[services.x]\ncommand = "sleep 600"\n`)
  const r = await p.run(["-f", "devrig.nope.toml", "start", "-d"])
  expect(r.exitCode).toBe(1)
  expect(r.stderr).toContain("devrig.nope.toml")
  await assertCleanedUp(p)
})

test("commands find devrig.toml by walking up from a nested directory", async () => {
  const port = await freePort()
  const p = project("walk", `[services.web]\ncommand = "exec python3 -m http.server $PORT"\nport = ${port}\n`)
  const nested = join(p.dir, "src", "deep", "er")
  mkdirSync(nested, { recursive: true })

  const r = await p.run(["start", "-d"], { cwd: nested })
  expect(r.exitCode, r.stderr).toBe(0)
  expect(await httpStatus(port)).toBe(200)
  // State lives next to devrig.toml, never in the directory the command ran from.
  expect(existsSync(join(p.dir, ".devrig", "state.json"))).toBe(true)
  expect(existsSync(join(nested, ".devrig"))).toBe(false)

  const ps = JSON.parse((await p.run(["ps", "--json"], { cwd: join(p.dir, "src") })).stdout)
  expect(ps.project.slug).toBe(p.slug)
  expect(ps.running).toBe(true)
  expect((await p.run(["env", "web", "PORT"], { cwd: nested })).stdout.trim()).toBe(String(port))

  const sup = ps.supervisorPid
  const s = await p.run(["stop"], { cwd: nested })
  expect(s.exitCode).toBe(0)
  expect(s.stdout).toContain("Stopped walk")
  await assertCleanedUp(p, [port], sup)
})

test("no devrig.toml up the tree: exit 1 with the PRD's message", async () => {
  const dir = tempProject().dir
  const p = project("unused", "")
  const r = await p.run(["start", "-d"], { cwd: dir })
  expect(r.exitCode).toBe(1)
  expect(r.stderr).toContain(`No devrig.toml found in ${dir} or any parent directory`)
  expect(existsSync(join(dir, ".devrig"))).toBe(false)
})
