// When a service's shell exits on its own, what it left running in its process group goes too:
// a restart must never find the previous run's children still holding a port.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { assertCleanedUp, killLeftovers, markedPids, project, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000)
afterAll(killLeftovers)

test("a service that exits leaves no background child behind", async () => {
  const p = project("leftover", `
[services.parent]
command = "sleep 600 & echo started; sleep 0.3; exit 1"
restart = "never"

[services.steady]
command = "sleep 600"
`)
  await startDetached(p)
  const sup = p.supervisorPid()
  await p.waitState("parent", "failed")
  await waitFor(() => markedPids(p.slug, "parent").length === 0, "the background sleep of parent to be gone", 5000)
  expect((await p.component("steady")).state).toBe("running")
  await stop(p)
  await assertCleanedUp(p, [], sup)
})
