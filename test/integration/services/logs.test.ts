// `devrig logs` from another terminal: all services merged, one service, --grep, --since, --json,
// --tail, --follow (new lines, and a clean exit when the reader goes away), after a stop too.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import { assertCleanedUp, BIN, isAlive, killLeftovers, project, spawnDevrig, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

const body = `
[services.ticker]
command = "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.1; done"

[services.errs]
command = "echo to-stderr >&2; echo to-stdout; exec sleep 600"
`

interface J {
  time: string
  name: string
  stream: string
  line: string
}

const jsonLines = (out: string) =>
  out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as J)
const tickOf = (l: J) => Number(/^tick (\d+)$/.exec(l.line)?.[1])

async function upWithTicks(p: Project, ticks: number) {
  await startDetached(p)
  await waitFor(() => (p.read(".devrig/logs/ticker.log").match(/tick/g)?.length ?? 0) >= ticks, `${ticks} ticks`)
  await waitFor(() => p.read(".devrig/logs/errs.log").includes("to-stdout") && p.read(".devrig/logs/errs.log").includes("to-stderr"), "errs output")
}

test("logs: merged, per service, stderr marked, --json, --grep, --tail, --since", async () => {
  const p = project("logs", body)
  await upWithTicks(p, 10)
  const sup = p.supervisorPid()

  const all = await p.run(["logs"])
  expect(all.exitCode).toBe(0)
  expect(all.stdout).toMatch(/^ticker\s+\| tick 1$/m)
  expect(all.stdout).toMatch(/^errs\s+! to-stderr$/m)
  expect(all.stdout).toMatch(/^errs\s+\| to-stdout$/m)

  const one = await p.run(["logs", "errs"])
  expect(one.stdout).not.toContain("tick")
  expect(one.stdout.trim().split("\n").length).toBe(2)

  const json = jsonLines((await p.run(["logs", "--json"])).stdout)
  expect(json.length).toBeGreaterThanOrEqual(12)
  expect(json.map((l) => l.time)).toEqual(json.map((l) => l.time).sort()) // merged by time
  expect(json.find((l) => l.line === "to-stderr")).toMatchObject({ name: "errs", stream: "err" })
  expect(json.find((l) => l.line === "tick 1")).toMatchObject({ name: "ticker", stream: "out" })
  for (const l of json) expect(Number.isNaN(Date.parse(l.time))).toBe(false)

  const grep = jsonLines((await p.run(["logs", "--json", "--grep", "^tick [0-9]*5$"])).stdout)
  expect(grep.length).toBeGreaterThanOrEqual(1)
  for (const l of grep) expect(l.line).toMatch(/^tick \d*5$/)

  const seen = tickOf(jsonLines((await p.run(["logs", "ticker", "--json"])).stdout).at(-1)!)
  const tail = jsonLines((await p.run(["logs", "ticker", "--json", "--tail", "3"])).stdout)
  expect(tail.length).toBe(3)
  const n = tail.map(tickOf)
  expect(n[1]).toBe(n[0]! + 1)
  expect(n[2]).toBe(n[1]! + 1)
  expect(n[2]!).toBeGreaterThanOrEqual(seen)
  expect((await p.run(["logs", "ticker", "--tail", "0"])).stdout).toBe("")
  expect((await p.run(["logs", "--tail", "-2"])).exitCode).toBe(1)

  // --since: an ISO time splits the history; a duration covering everything keeps it all.
  // The last tick before `since` is read first: every line at or after `since` comes later.
  const atSince = tickOf(jsonLines((await p.run(["logs", "ticker", "--json"])).stdout).at(-1)!)
  const since = new Date().toISOString()
  await waitFor(() => (p.read(".devrig/logs/ticker.log").match(/tick/g)?.length ?? 0) >= atSince + 3, "more ticks")
  const recent = jsonLines((await p.run(["logs", "ticker", "--json", "--since", since])).stdout)
  expect(recent.length).toBeGreaterThanOrEqual(2)
  for (const l of recent) expect(l.time >= since).toBe(true)
  expect(tickOf(recent[0]!)).toBeGreaterThanOrEqual(atSince)
  expect(recent.some((l) => l.line === "tick 1")).toBe(false)
  const hour = jsonLines((await p.run(["logs", "ticker", "--json", "--since", "1h"])).stdout)
  expect(hour[0]!.line).toBe("tick 1")
  const bad = await p.run(["logs", "--since", "yesterday-ish"])
  expect(bad.exitCode).toBe(1)
  expect(bad.stderr).toContain(`"yesterday-ish"`)

  // After a stop the history is still there, with why the services ended.
  await stop(p)
  const after = await p.run(["logs", "ticker"])
  expect(after.exitCode).toBe(0)
  expect(after.stdout).toContain("tick 1")
  await assertCleanedUp(p, [], sup)
})

/** PIDs of `devrig logs --follow` processes running in `dir`. */
function followers(dir: string): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
        return cmd[0] === BIN && cmd.includes("logs") && cmd.includes("--follow") && readlinkSync(`/proc/${pid}/cwd`) === dir
      } catch {
        return false
      }
    })
}

test("logs --follow prints new lines as they come; `logs --follow | head -1` exits while the supervisor keeps running", async () => {
  const p = project("follow", body)
  await upWithTicks(p, 3)
  const sup = p.supervisorPid()!

  const f = spawnDevrig(p, ["logs", "ticker", "--follow", "--json"])
  const last = tickOf(jsonLines((await p.run(["logs", "ticker", "--json"])).stdout).at(-1)!)
  // a line written after the follower started
  await f.waitOutput(new RegExp(`"line":"tick ${last + 3}"`), 10_000)
  expect(f.output()).toContain('"line":"tick 1"') // history first
  expect(f.output()).not.toContain("to-stdout") // only the service asked for
  f.proc.kill("SIGTERM")
  await f.exited

  const pipe = Bun.spawn(["sh", "-c", `"${BIN}" logs --follow | head -1`], { cwd: p.dir, env: { ...process.env, ...p.env }, stdout: "pipe", stderr: "pipe" })
  const code = await Promise.race([pipe.exited, Bun.sleep(10_000).then(() => "hung" as const)])
  if (code === "hung") pipe.kill("SIGKILL")
  expect(code).toBe(0)
  const out = await new Response(pipe.stdout).text()
  expect(out.split("\n").filter(Boolean).length).toBe(1)
  expect(await new Response(pipe.stderr).text()).toBe("")
  await waitFor(() => followers(p.dir).length === 0, "the follower to exit", 5000)
  expect(isAlive(sup)).toBe(true)
  expect((await p.component("ticker")).state).toBe("running")

  await stop(p)
  await assertCleanedUp(p, [], sup)
})
