// Crash reports: one per crash episode, as `»` lines in the service's log and on its status —
// how it ended, its last output lines, error logs/spans of the minute before, and what changed
// in its command or environment since it last started well (here: a hot-reload edit).
import { expect, setDefaultTimeout, test } from "bun:test"
import { app, started, stopLeftovers } from "./helpers.ts"
import type { Component } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000)
stopLeftovers()

interface CrashReport {
  service: string
  exitCode: number | null
  signal: string | null
  restarts: number
  lines: string[]
  errorLogs: { body: string }[]
  errorSpans: { traceId: string; operation: string }[]
  changes: string[]
}
type WithCrash = Component & { crash?: CrashReport }

const reportsIn = (log: string) => log.split("\n").filter((l) => l.includes("crash report:")).length

test("a crash report has the exit code, the last lines and the error spans of the minute before", async () => {
  const r = await started("crashrep", `[services.api]\ncommand = ${app("say:connecting to db", "span:GET /orders:error", "say:db refused the connection", "exit:7")}\nrestart = "never"\n`)
  const api = (await r.p.waitState("api", "failed", 20_000)) as WithCrash
  expect(api.crash).toMatchObject({ service: "api", exitCode: 7, signal: null, restarts: 0, changes: [] })
  expect(api.crash!.lines).toEqual(["connecting to db", expect.stringContaining('"msg":"handled GET /orders"'), "db refused the connection"])
  // the stdout line said level "error": it is an error log of the minute before, beside the span
  expect(api.crash!.errorLogs.map((l) => l.body)).toEqual(["handled GET /orders"])
  expect(api.crash!.errorSpans.map((s) => s.operation)).toEqual(["GET /orders"])

  const res = await r.p.run(["logs", "api"])
  expect(res.exitCode, res.stderr).toBe(0)
  const sys = res.stdout.split("\n").filter((l) => l.includes(" » "))
  const text = sys.join("\n")
  expect(text).toContain("crash report: api (exit code 7, 0 restarts so far)")
  expect(text).toContain("| db refused the connection")
  expect(text).toContain("error spans in the minute before:")
  expect(text).toContain(`GET /orders  trace ${api.crash!.errorSpans[0]!.traceId}`)
  expect(text).toContain("nothing changed in its command or environment since its last good start")
  await r.finish()
})

test("after a hot-reload edit breaks a service, its report names the changed variable — once per crash episode", async () => {
  const cmd = (foo: string) => `[services.api]
command = ${JSON.stringify(`echo "FOO is $FOO"; if [ "$FOO" = 2 ]; then echo "unsupported FOO" >&2; exit 5; fi; exec sleep 600`)}
env = { FOO = "${foo}", KEEP = "same" }
max_restarts = 2
`
  const r = await started("crashreload", cmd("1"))
  await r.p.waitState("api", "running")
  r.p.write("devrig.toml", r.p.read("devrig.toml").replace(/\[services\.api\][\s\S]*$/, cmd("2")))
  const api = (await r.p.waitState("api", "failed", 20_000)) as WithCrash
  expect(api.restarts).toBe(2)
  expect(api.crash).toMatchObject({ exitCode: 5, changes: ["FOO: 1 → 2"] })
  expect(api.crash!.lines).toEqual(["FOO is 2", "unsupported FOO"])

  const log = r.p.read(".devrig/logs/api.log")
  expect(log).toContain("changed since its last good start:")
  expect(log).toContain("FOO: 1 → 2")
  // three crashes in a row (the run and 2 restarts) are one episode: one report
  expect((log.match(/exited with code 5/g) ?? []).length).toBe(3)
  expect(reportsIn(log)).toBe(1)
  await r.finish()
})

test("a crash loop is one episode; a manual restart starts a new one", async () => {
  const r = await started("crashloop", `[services.api]\ncommand = "echo try; exit 3"\nmax_restarts = 2\n`)
  await r.p.waitState("api", "failed", 20_000)
  expect(reportsIn(r.p.read(".devrig/logs/api.log"))).toBe(1)
  const again = await r.p.run(["restart", "api"])
  expect(again.exitCode, again.stderr).toBe(0)
  await r.p.waitState("api", "failed", 20_000)
  const log = r.p.read(".devrig/logs/api.log")
  expect((log.match(/exited with code 3/g) ?? []).length).toBe(6)
  expect(reportsIn(log)).toBe(2)
  await r.finish()
})
