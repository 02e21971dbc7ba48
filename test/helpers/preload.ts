// Runs before any test file: point HOME and the per-user state dir at a temp folder so tests
// never read or write the developer's real ~/.kube/config, ~/.claude or instance registry.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const home = mkdtempSync(join(tmpdir(), "devrig-test-home-"))
process.env.REAL_HOME ??= process.env.HOME
process.env.HOME = home
process.env.XDG_STATE_HOME = join(home, ".local", "state")
process.env.NO_COLOR = "1"
