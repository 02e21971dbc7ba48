// Unknown service names are input errors (exit 1) that list the known ones — whether the project
// runs or not — and never start, stop or touch anything.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { assertCleanedUp, isAlive, killLeftovers, project, startDetached, stop } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

const body = `
[services.api]
command = "sleep 600"

[services.web]
command = "sleep 600"
`

const commands: [string, string[]][] = [
  ["stop", ["stop", "apj"]],
  ["restart", ["restart", "apj"]],
  ["logs", ["logs", "apj"]],
  ["env", ["env", "apj"]],
  ["env VAR", ["env", "apj", "PORT"]],
]

function expectUnknown(r: { exitCode: number; stderr: string }, what: string) {
  expect(r.exitCode, `${what}: ${r.stderr}`).toBe(1)
  expect(r.stderr, what).toMatch(/unknown (service|component) `apj`/)
  expect(r.stderr, what).toContain("Known: api, web")
}

test("unknown names while the project is stopped: exit 1 naming the known services; nothing starts", async () => {
  const p = project("names", body)
  for (const [what, args] of commands) expectUnknown(await p.run(args), what)
  for (const args of [["start", "-d", "apj"], ["start", "apj"]]) expectUnknown(await p.run(args), args.join(" "))
  expect((await p.ps()).running).toBe(false)
  await assertCleanedUp(p)
})

test("unknown names while the project runs: exit 1 naming the known services; the run is untouched", async () => {
  const p = project("namesup", body)
  await startDetached(p)
  const sup = p.supervisorPid()!
  const before = (await p.ps()).components.map((c) => [c.name, c.pid, c.state])
  for (const [what, args] of commands) expectUnknown(await p.run(args), what)
  expect(isAlive(sup)).toBe(true)
  expect((await p.ps()).components.map((c) => [c.name, c.pid, c.state])).toEqual(before)
  await stop(p)
  await assertCleanedUp(p, [], sup)
})
