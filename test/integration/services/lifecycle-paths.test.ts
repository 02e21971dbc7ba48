// Regressions of the supervisor's lifecycle, each through dist/devrig:
// - `stop` returned while devrig's own watchdog was still alive;
// - `delete` (and `stop`) without .devrig/state.json reported success and left the project running;
// - a foreground start whose service failed its ready check waited at "Press Ctrl+C" forever;
// - `start -d` exited 0 although its own summary showed a failed `restart = "never"` service;
// - `start web` on a project started as `start api` said "unknown service web";
// - while devrig.toml was invalid `start api` failed, and fixing the file logged nothing;
// - "X is ready" was recorded before "X started".
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { existsSync, rmSync } from "node:fs"
import { join } from "node:path"
import { assertCleanedUp, assertNoProcesses, isAlive, killLeftovers, project, spawnDevrig, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"
import { watchdogPids } from "../faults/helpers.ts"

setDefaultTimeout(60_000)
afterAll(killLeftovers)

const idle = (name: string) => `[services.${name}]\ncommand = "exec sleep 600"\n`

test("stop returns only after every process of the project, the watchdog included, has exited", async () => {
  const p = project("stopwd", idle("a") + idle("b"))
  await startDetached(p)
  const sup = p.supervisorPid()
  expect(watchdogPids(p.dir).length).toBe(1)
  await stop(p)
  // checked right away: nothing may linger after `stop` returned
  expect(watchdogPids(p.dir)).toEqual([])
  await assertCleanedUp(p, [], sup)
})

for (const cmd of ["delete", "stop"])
  test(`${cmd} without .devrig/state.json still ends the supervisor, its watchdog and its services`, async () => {
    const p = project(`nostate${cmd}`, idle("a"))
    await startDetached(p)
    const sup = p.supervisorPid()!
    rmSync(join(p.dir, ".devrig", "state.json"))
    const r = await p.run([cmd])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain(cmd === "delete" ? "Deleted" : "Stopped")
    expect(isAlive(sup)).toBe(false)
    expect(watchdogPids(p.dir)).toEqual([])
    await assertCleanedUp(p, [], sup)
    if (cmd === "delete") expect(existsSync(join(p.dir, ".devrig", "state.json"))).toBe(false)
    else {
      const ps = (await p.run(["ps"])).stdout
      expect(ps).toContain("not running")
      expect(ps).not.toMatch(/● running/)
    }
  })

test("delete without state file, lock or control socket finds the supervisor through the registry and run markers", async () => {
  const p = project("norecords", idle("a"))
  await startDetached(p)
  const sup = p.supervisorPid()!
  for (const f of ["state.json", "supervisor.pid", "control.sock"]) rmSync(join(p.dir, ".devrig", f))
  const r = await p.run(["delete"])
  expect(r.exitCode, r.stderr).toBe(0)
  expect(isAlive(sup)).toBe(false)
  expect(watchdogPids(p.dir)).toEqual([])
  await assertCleanedUp(p, [], sup)
})

test("a foreground start whose service fails its ready check reports it, tears down and exits 2", async () => {
  const p = project("fgready", `[services.slow]\ncommand = "exec sleep 600"\nready_check = { type = "log", match = "never", timeout = "500ms" }\n\n` + idle("other"))
  const run = spawnDevrig(p, ["start"])
  const code = await Promise.race([run.exited, Bun.sleep(30_000).then(() => "still running")])
  run.proc.kill("SIGKILL")
  expect(code, run.output()).toBe(2)
  expect(run.output()).toMatch(/slow.*ready check \(log\) did not pass/)
  expect(run.output()).not.toContain("Press Ctrl+C")
  await assertCleanedUp(p, [], run.proc.pid)
})

test('start -d whose summary shows a failed restart = "never" service exits 2, names it and tears down', async () => {
  // `oneshot` fails within milliseconds of its spawn, about when the start settles: the exit code
  // must agree with the summary printed, whichever of the two it saw.
  const p = project("neverd", `[services.oneshot]\ncommand = "echo boom; exit 3"\nrestart = "never"\n\n${idle("steady")}`)
  const r = await p.run(["start", "-d"])
  const shown = /oneshot\s+● failed/.test(r.stdout + r.stderr)
  if (!shown) {
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    console.log("note: this run's summary was printed before oneshot failed; exit 0 is then right")
    await stop(p)
  } else {
    expect(r.exitCode, r.stdout + r.stderr).toBe(2)
    expect(r.stderr).toContain("oneshot: exited with code 3")
  }
  await waitFor(() => !isAlive(p.supervisorPid()), "the supervisor to exit")
  expect(watchdogPids(p.dir)).toEqual([])
  assertNoProcesses(p.slug)
})

test("start web on a project started as `start api` starts web (and what it needs)", async () => {
  const p = project("startmore", idle("api") + idle("db") + `[services.web]\ncommand = "exec sleep 600"\ndepends_on = ["db"]\n`)
  await startDetached(p, ["api"])
  const sup = p.supervisorPid()
  const r = await p.run(["start", "web"])
  expect(r.exitCode, r.stderr).toBe(0)
  expect((await p.component("web")).state).toBe("running")
  expect((await p.component("db")).state).toBe("running")
  expect((await p.component("api")).state).toBe("running")
  await stop(p)
  await assertCleanedUp(p, [], sup)
})

test("while devrig.toml is invalid, start api works with the last good config; fixing the file logs `config reloaded`", async () => {
  const p = project("brokenstart", idle("api") + idle("web"))
  await startDetached(p)
  const sup = p.supervisorPid()
  const good = p.read("devrig.toml")
  expect((await p.run(["stop", "api"])).exitCode).toBe(0)
  p.write("devrig.toml", good + "\n[services.api\n")
  await waitFor(() => p.read(".devrig/supervisor.log").includes("still running the previous config"), "the broken file to be noticed")
  const r = await p.run(["start", "api"])
  expect(r.exitCode, r.stderr).toBe(0)
  expect((await p.component("api")).state).toBe("running")
  p.write("devrig.toml", good)
  await waitFor(() => p.read(".devrig/supervisor.log").includes("config reloaded"), "`config reloaded` in the log")
  await stop(p)
  await assertCleanedUp(p, [], sup)
})

test("lifecycle events: every component's `started` comes before its `ready`, in record order and in time", async () => {
  // Services without a port are ready the moment they spawn: both events fall in the same
  // millisecond, and equal timestamps let any sort by time put "ready" first.
  const quick = Array.from({ length: 12 }, (_, i) => idle(`q${i}`)).join("\n")
  const { started } = await import("../beyond/helpers.ts")
  const r = await started("evorder", `[services.web]\ncommand = "exec python3 -m http.server $PORT"\nport = "auto"\n\n${quick}`)
  for (const name of ["web", ...Array.from({ length: 12 }, (_, i) => `q${i}`)]) {
    const events = await r.events(name)
    const kinds = events.map((e) => String(e.attributes["devrig.event"]))
    expect(kinds.slice(0, 2), name).toEqual(["start", "ready"])
    const [start, ready] = events.map((e) => BigInt(e.timeUnixNano))
    expect(start! < ready!, `${name}: start ${start} must be before ready ${ready}`).toBe(true)
  }
  // and across components: no two events share a timestamp, so time order is record order
  const all = (await r.query(["logs", "--source", "events", "--limit", "1000"])).map((e) => e.timeUnixNano)
  expect(new Set(all).size).toBe(all.length)
  await r.finish()
})
