/**
 * devrig's entry point: the one place that turns errors into a message and an exit code.
 * Commands are loaded lazily so `devrig --version` and `--help` pay for nothing else; the build
 * splits chunks (scripts/build.ts), so --version does not even load the commands' code.
 */
import pkg from "../package.json" with { type: "json" }
import { versionLine } from "./platform/info.ts"

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // console.log, not process.stdout.write: the first touch of process.stdout builds Node's stream
  // for it, ~8 ms — as long as the rest of this start-up (bench/cli-startup.ts, docs/benchmarks.md)
  console.log(versionLine(pkg.version))
  process.exit(0)
}

// a closed stdout (`devrig ps | head`) ends the command quietly (src/cli/pipe.ts)
const [{ guardOutput }, { run }] = await Promise.all([import("./cli/pipe.ts"), import("./cli/dispatch.ts")])
guardOutput()
process.exitCode = await run(argv, pkg.version)
