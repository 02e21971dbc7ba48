// Config hot reload: saving devrig.toml while devrig runs restarts only what changed, starts what
// was added, stops what was removed; a broken edit is reported and changes nothing.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assertCleanedUp, isAlive, killLeftovers, project, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000)
afterAll(killLeftovers)

const base = `
[services.a]
command = "echo a $GREETING; sleep 600"
env = { GREETING = "hello" }

[services.b]
command = "sleep 600"
`

test("changing one service's env restarts only it; adding and removing services applies too", async () => {
  const p = project("reload", base)
  await startDetached(p)
  const sup = p.supervisorPid()
  const a0 = (await p.component("a")).pid!
  const b0 = (await p.component("b")).pid!
  const config = join(p.dir, "devrig.toml")

  writeFileSync(config, readFileSync(config, "utf8").replace('"hello"', '"bonjour"'))
  const a1 = await waitFor(async () => {
    const c = await p.component("a")
    return c.state === "running" && c.pid !== a0 ? c.pid : undefined
  }, "a to restart with a new pid")
  expect((await p.component("b")).pid).toBe(b0) // b did not change: it keeps its process
  expect(isAlive(a0)).toBe(false)
  await waitFor(() => p.read(".devrig/logs/a.log").includes("a bonjour"), "a to run with the new env")
  expect(p.read(".devrig/supervisor.log")).toContain("devrig.toml changed: restarted a")

  // add c, remove b
  writeFileSync(config, readFileSync(config, "utf8").replace('[services.b]\ncommand = "sleep 600"', '[services.c]\ncommand = "sleep 600"'))
  await p.waitState("c", "running")
  await waitFor(() => !isAlive(b0), "b to stop")
  expect((await p.ps()).components.map((c) => c.name).sort()).toEqual(["a", "c"])
  expect((await p.component("a")).pid).toBe(a1)

  await stop(p)
  await assertCleanedUp(p, [], sup)
})

test("a broken edit is reported and ignored: everything keeps running", async () => {
  const p = project("reloadbad", base)
  await startDetached(p)
  const sup = p.supervisorPid()
  const a0 = (await p.component("a")).pid!
  const config = join(p.dir, "devrig.toml")
  writeFileSync(config, readFileSync(config, "utf8") + "\n[services.a\n")
  await waitFor(() => p.read(".devrig/supervisor.log").includes("still running the previous config"), "the problem to be reported")
  expect(p.read(".devrig/supervisor.log")).toMatch(/devrig\.toml:\d+:\d+: invalid TOML/)
  expect((await p.component("a")).pid).toBe(a0)
  expect((await p.component("a")).state).toBe("running")
  // Commands keep working against the running project while the file is broken.
  const r = await p.run(["stop"])
  expect(r.exitCode).toBe(0)
  await assertCleanedUp(p, [], sup)
})

test("regression: restarting a dependent on reload does not start its running dependency a second time", async () => {
  const p = project("reloaddep", `
[services.db]
command = "echo db up; sleep 600"

[services.app]
command = "echo app $V; sleep 600"
env = { V = "1" }
depends_on = ["db"]
`)
  await startDetached(p)
  const sup = p.supervisorPid()
  const db0 = (await p.component("db")).pid!
  const config = join(p.dir, "devrig.toml")
  writeFileSync(config, readFileSync(config, "utf8").replace('V = "1"', 'V = "2"'))
  await waitFor(() => p.read(".devrig/logs/app.log").includes("app 2"), "app to restart with V=2")
  expect((await p.component("db")).pid).toBe(db0)
  expect(p.read(".devrig/logs/db.log").match(/db up/g)?.length).toBe(1)
  await stop(p)
  await assertCleanedUp(p, [], sup)
})
