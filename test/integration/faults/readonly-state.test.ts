// Regression: state writes in exit handlers and timers were unguarded, so a full or read-only
// disk under .devrig/ crashed the supervisor the first time a service exited. Writes are made to
// fail for real: `chattr +i` makes the folders immutable, which stops root too (a chmod does not,
// and a read-only bind remount is refused while the supervisor holds its log open for writing).
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { assertCleanedUp, isAlive, killLeftovers, project, startDetached, waitFor } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000)
afterAll(killLeftovers)

function chattr(flag: "+i" | "-i", paths: string[]): void {
  const r = Bun.spawnSync(["chattr", flag, ...paths], { stderr: "pipe" })
  if (r.exitCode !== 0) throw new Error(`chattr ${flag} failed: ${r.stderr.toString()}`)
}

test("a read-only .devrig/ never crashes the supervisor: the failure is reported once, ps and stop keep working", async () => {
  const p = project(
    "rostate",
    `
[services.crashy]
command = "echo up; while [ ! -f crash ]; do sleep 0.05; done; rm -f crash; exit 1"

[services.steady]
command = "exec sleep 600"
`,
  )
  await startDetached(p)
  const sup = p.supervisorPid()!
  const dir = join(p.dir, ".devrig")
  const logs = join(dir, "logs")
  const frozen = [dir, logs, ...readdirSync(logs).map((f) => join(logs, f))]
  chattr("+i", frozen)
  try {
    const before = (await p.component("crashy")).pid
    // two crashes: two rounds of state writes from exit handlers and restart timers
    for (let i = 0; i < 2; i++) {
      p.write("crash", "")
      await waitFor(async () => {
        const c = await p.component("crashy")
        return c.state === "running" && c.pid !== before && c.restarts === i + 1
      }, `crashy to be restarted (${i + 1})`, 20_000)
    }
    expect(isAlive(sup)).toBe(true)
    const log = p.read(".devrig/supervisor.log")
    expect(log.match(/cannot write .*\.devrig/g)?.length, log).toBe(1)
    expect((await p.component("steady")).state).toBe("running")
    const r = await p.run(["stop"])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain("Stopped")
  } finally {
    chattr("-i", frozen)
  }
  await assertCleanedUp(p, [], sup)
})
