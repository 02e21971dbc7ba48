/**
 * `devrig exec <container> [--] [cmd…]`: a shell (or the command) inside a running [docker.*]
 * container. On a terminal it gets a real TTY (raw mode, resize); otherwise the command's output
 * is printed. devrig exits with the command's exit code.
 */
import { loadConfig } from "../config/load.ts"
import { didYouMean } from "../config/problems.ts"
import { ExternalError, InputError } from "../errors.ts"
import { names } from "../project/identity.ts"
import { globalOptions } from "./context.ts"
import { println, write } from "./output.ts"

const SHELL = ["sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi"]

const USAGE = "devrig exec <container> [--] [command…]"

export async function execCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args
  if (name === "--help" || name === "-h") {
    println(`Usage: ${USAGE}\n  Opens a shell (or runs the command) in a running [docker.*] container.\n  On a terminal it gets a TTY (no -it needed); otherwise stdin is passed to the command.`)
    return 0
  }
  if (!name) throw new InputError("`devrig exec` needs a container name", { hint: `Usage: ${USAGE}` })
  if (name.startsWith("-")) throw new InputError(`unknown option \`${name}\` for devrig exec`, { hint: `Usage: ${USAGE} (a terminal gets a TTY without -it)` })
  // `devrig exec db -- psql …`, as kubectl and docker users type it: `--` only ends devrig's part.
  const cmd = rest[0] === "--" ? rest.slice(1) : rest
  const loaded = loadConfig({ file: globalOptions.file })
  const known = Object.keys(loaded.config.docker ?? {})
  if (!known.includes(name)) throw new InputError(`unknown container \`${name}\`${didYouMean(name, known)}`, { hint: `Known: ${known.join(", ") || "(no [docker.*] blocks)"}` })
  const { inspectContainer } = await import("../docker/containers.ts")
  const container = names.container(loaded.identity.slug, name)
  const info = await inspectContainer(container)
  if (!info?.running) throw new ExternalError(`[docker.${name}] is not running`, { hint: "Start it with `devrig start`" })
  const user = loaded.config.docker?.[name]?.user
  const { execInteractive, execRun } = await import("../docker/exec.ts")
  if (process.stdin.isTTY && process.stdout.isTTY) return execInteractive(container, cmd.length ? cmd : SHELL, { user })
  if (!cmd.length) throw new InputError("`devrig exec` needs a command when it is not run from a terminal")
  const stdin = process.stdin.isTTY ? undefined : await Bun.stdin.text()
  const res = await execRun(container, cmd, { user, stdin: stdin || undefined })
  if (res.stdout) write(process.stdout, res.stdout.endsWith("\n") ? res.stdout : res.stdout + "\n")
  if (res.stderr) write(process.stderr, res.stderr.endsWith("\n") ? res.stderr : res.stderr + "\n")
  return res.exitCode
}
