/**
 * devrig's entry point: the one place that turns errors into a message and an exit code.
 * Commands are loaded lazily so `devrig --version` and `--help` pay for nothing else.
 */
import pkg from "../package.json" with { type: "json" }
import { guardOutput } from "./cli/pipe.ts"
import { versionLine } from "./platform/info.ts"

guardOutput()

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${versionLine(pkg.version)}\n`)
  process.exit(0)
}

const { run } = await import("./cli/dispatch.ts")
process.exitCode = await run(argv, pkg.version)
