// Crash recovery: restart with exponential backoff (1 s, 2 s, 4 s …), max_restarts, the restart
// policies, exit 126/127 (the command cannot run) failing at once, a bad working directory, and
// a ready-check failure that is not mistaken for a crash.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { assertCleanedUp, freePort, httpStatus, killLeftovers, project, spawnDevrig, stamps, startDetached, stop } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

const steady = `
[services.steady]
command = "sleep 600"
`

test("a crashing service restarts after ≈1 s, 2 s, 4 s; max_restarts → failed; others keep running", async () => {
  const p = project("crash", `[services.crashy]\ncommand = "date +%s.%N >> starts; echo boom; exit 1"\nmax_restarts = 3\n` + steady)
  await startDetached(p)
  const sup = p.supervisorPid()
  // While it is being retried, ps counts the restarts.
  const mid = await p.waitState("crashy", /restarting|running/, 5000)
  expect(mid.exitCode === undefined || mid.exitCode === 1).toBe(true)
  const failed = await p.waitState("crashy", "failed", 15_000)
  expect(failed.restarts).toBe(3)
  expect(failed.exitCode).toBe(1)
  expect(failed.error).toContain("gave up after 3 restarts")

  const t = stamps(p, "starts")
  expect(t.length).toBe(4) // the first run + 3 restarts
  const gaps = t.slice(1).map((x, i) => x - t[i]!)
  const expected = [1000, 2000, 4000]
  gaps.forEach((g, i) => {
    expect(g).toBeGreaterThanOrEqual(expected[i]! * 0.8)
    expect(g).toBeLessThanOrEqual(expected[i]! * 1.2)
  })
  const log = p.read(".devrig/logs/crashy.log")
  for (const s of ["restarting in 1s (restart 1/3)", "restarting in 2s (restart 2/3)", "restarting in 4s (restart 3/3)", "giving up after 3 restarts"]) expect(log).toContain(s)
  expect(log.match(/"boom"/g)?.length).toBe(4)

  expect((await p.component("steady")).state).toBe("running")
  await stop(p)
  await assertCleanedUp(p, [], sup)
})

test('restart = "never": a failing service is failed at once, a finished one is exited', async () => {
  const p = project(
    "never",
    `
[services.dies]
command = "while [ ! -f go ]; do sleep 0.05; done; date +%s.%N >> dies.starts; exit 3"
restart = "never"

[services.done]
command = "date +%s.%N >> done.starts; exit 0"
restart = "never"

[services.okdone]
command = "date +%s.%N >> okdone.starts; exit 0"
` + steady,
  )
  // \`dies\` fails once the start is over: a failure during the start would fail the start (exit 2)
  await startDetached(p)
  const sup = p.supervisorPid()
  p.write("go", "")
  const dies = await p.waitState("dies", "failed")
  expect(dies.exitCode).toBe(3)
  expect(dies.restarts).toBe(0)
  expect(dies.error).toBe("exited with code 3")
  const done = await p.waitState("done", "exited")
  expect(done.exitCode).toBe(0)
  // on-failure (the default) does not restart a clean exit either.
  const ok = await p.waitState("okdone", "exited")
  expect(ok.restarts).toBe(0)
  expect((await p.component("steady")).state).toBe("running")
  // The states are final: the logs never announce a restart.
  for (const n of ["dies", "done", "okdone"]) {
    expect(stamps(p, `${n}.starts`).length).toBe(1)
    expect(p.read(`.devrig/logs/${n}.log`)).not.toContain("restarting")
  }
  await stop(p)
  await assertCleanedUp(p, [], sup)
})

test('restart = "always" restarts a clean exit too, up to max_restarts', async () => {
  const p = project("always", `[services.job]\ncommand = "date +%s.%N >> starts; exit 0"\nrestart = "always"\nmax_restarts = 1\n`)
  await startDetached(p)
  const sup = p.supervisorPid()
  const job = await p.waitState("job", "failed", 10_000)
  expect(job.restarts).toBe(1)
  expect(job.error).toContain("gave up after 1 restarts")
  expect(stamps(p, "starts").length).toBe(2)
  await stop(p)
  await assertCleanedUp(p, [], sup)
})

const broken = (port: number) => `
[services.web]
command = "exec python3 -m http.server $PORT"
port = ${port}

[services.broken]
command = "no-such-binary-devrig-test --serve"
`

test("exit 127 (missing binary), start -d: exit 2 with the shell's message; nothing is left running", async () => {
  const port = await freePort()
  const p = project("missing", broken(port))
  const r = await p.run(["start", "-d"])
  expect(r.exitCode).toBe(2)
  expect(r.stderr).toContain("missing could not start: broken:")
  expect(r.stderr).toContain("no-such-binary-devrig-test: not found")
  expect(p.read(".devrig/logs/broken.log")).toContain("exited with code 127")
  expect(p.read(".devrig/logs/broken.log")).not.toContain("restarting")
  await assertCleanedUp(p, [port])
})

test("exit 127 in the foreground: failed without retry, with the shell's message; the start fails (exit 2) as with -d", async () => {
  const port = await freePort()
  const p = project("missingfg", broken(port))
  const run = spawnDevrig(p, ["start"])
  expect(await run.exited).toBe(2)
  expect(run.output()).toMatch(/broken.*failed — .*not found/)
  expect(run.output()).toContain("missingfg could not start: broken:")
  expect(run.output()).not.toContain("Press Ctrl+C")
  expect(p.read(".devrig/logs/broken.log")).toContain("exited with code 127")
  expect(p.read(".devrig/logs/broken.log")).not.toContain("restarting")
  await assertCleanedUp(p, [port], run.proc.pid)
})

test("exit 126 (not executable): failed without retry, and the start fails", async () => {
  // \`slow\` is ready a second later, so the start is still on when \`script\` fails
  const slow = `[services.slow]\ncommand = "sleep 1; echo ready; exec sleep 600"\nready_check = { type = "log", match = "ready", timeout = "20s" }\n`
  const p = project("noexec", `[services.script]\ncommand = "./run.sh"\n` + slow, { files: { "run.sh": "#!/bin/sh\necho hi\n" } })
  const run = spawnDevrig(p, ["start"])
  expect(await run.exited).toBe(2)
  expect(run.output()).toMatch(/script.*failed — .*Permission denied/)
  expect(p.read(".devrig/logs/script.log")).toContain("exited with code 126")
  expect(p.read(".devrig/logs/script.log")).not.toContain("restarting")
  await assertCleanedUp(p, [], run.proc.pid)
})

test("a `path` that does not exist: the service fails naming the directory; start -d exits 2", async () => {
  const p = project("badpath", `[services.lost]\npath = "./no/such/dir"\ncommand = "sleep 600"\n` + steady)
  const r = await p.run(["start", "-d"])
  expect(r.exitCode).toBe(2)
  expect(r.stderr + r.stdout).toContain("no/such/dir")
  expect(r.stderr).toContain("working directory not found")
  await assertCleanedUp(p)
})

// Regression: the runner stopped a service whose ready check timed out, then saw that exit as a
// crash (killed by SIGTERM → restart with backoff, or code 0 → "exited") racing the "failed" state.
test("a service whose ready_check times out is failed, not restarted as a crash", async () => {
  const p = project("readyfail", `[services.slowpoke]\ncommand = "exec sleep 600"\nready_check = { type = "log", match = "never", timeout = "500ms" }\n` + steady)
  const run = spawnDevrig(p, ["start"])
  // a failed start in the foreground: reported, torn down, exit 2 (as with -d)
  expect(await run.exited).toBe(2)
  expect(run.output()).toMatch(/slowpoke\s+● failed — ready check \(log\) did not pass within 0\.5s/)
  const log = p.read(".devrig/logs/slowpoke.log")
  expect(log).toContain("ready check failed")
  expect(log).not.toContain("restarting")
  expect(log).not.toContain("killed by")
  await assertCleanedUp(p, [], run.proc.pid)
})
