// Runs before any test file: point HOME and the per-user state dir at a temp folder so tests
// never read or write the developer's real ~/.kube/config, ~/.claude or instance registry, and
// tag every process the tests start so a failed test cannot leave one running.
import { afterAll } from "bun:test"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const home = mkdtempSync(join(tmpdir(), "devrig-test-home-"))
process.env.REAL_HOME ??= process.env.HOME
process.env.HOME = home
process.env.XDG_STATE_HOME = join(home, ".local", "state")
process.env.NO_COLOR = "1"

// Every devrig the tests spawn inherits this tag, and so does every service it starts.
const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`
process.env.DEVRIG_TEST_RUN = tag

/** Safety net: whatever a test left running (a failed assertion before its `stop`) is killed. */
function killTagged(): void {
  const needle = `DEVRIG_TEST_RUN=${tag}\0`
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry)
    if (!pid || pid === process.pid) continue
    try {
      if ((readFileSync(`/proc/${pid}/environ`, "latin1") + "\0").includes(needle)) process.kill(pid, "SIGKILL")
    } catch {}
  }
}
afterAll(killTagged)
process.on("exit", killTagged)
