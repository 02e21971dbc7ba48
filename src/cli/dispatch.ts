/**
 * Command dispatch: global flags, lazy command loading, unknown command/flag checks, and the
 * error → (message, exit code) mapping. No command is registered before it works.
 */
import { type ArgsDef, type CommandDef, renderUsage, runCommand } from "citty"
import { isDevrigError, InputError } from "../errors.ts"
import { didYouMean } from "../config/problems.ts"
import { extractGlobals, globalArgs, globalOptions } from "./context.ts"
import { c, eprintln, println } from "./output.ts"
import { versionLine } from "../platform/info.ts"
import { ALIASES, COMMANDS as LISTED, COMPLETIONS_DESCRIPTION, type Loader } from "./commands.ts"

const COMMANDS: Record<string, { load: Loader; description: string }> = {
  ...LISTED,
  completions: { load: () => import("./completions.ts").then((m) => m.default), description: COMPLETIONS_DESCRIPTION },
}

/** Commands whose arguments belong to another program: only flags before the name are devrig's. */
const PASSTHROUGH: Record<string, (args: string[]) => Promise<number>> = {
  kubectl: (args) => import("./kubectl.ts").then((m) => m.kubectlProxy(args, { file: globalOptions.file })),
  exec: (args) => import("./exec.ts").then((m) => m.execCommand(args)),
}


export async function run(argv: string[], version: string): Promise<number> {
  try {
    if (argv[0] === "__watchdog") return await import("../services/watchdog.ts").then((m) => m.runWatchdog(argv.slice(1)))
    const at = commandIndex(argv)
    const pass = at >= 0 ? PASSTHROUGH[ALIASES[argv[at]!] ?? argv[at]!] : undefined
    if (pass) {
      extractGlobals(argv.slice(0, at))
      return await pass(argv.slice(at + 1))
    }
    const rest = extractGlobals(argv)
    const end = rest.indexOf("--")
    if ((end < 0 ? rest : rest.slice(0, end)).some((a) => a === "-f" || a === "--file"))
      throw new InputError("`-f` needs a file name", { hint: "e.g. devrig -f devrig.minimal.toml validate" })
    // `devrig help ps` is `devrig ps --help`
    if (rest[0] === "help" && rest[1]) rest.splice(0, 2, rest[1], "--help")
    const name = rest[0]
    if (!name || name === "--help" || name === "-h" || name === "help") {
      println(usage(version))
      return 0
    }
    if (name === "--version") {
      println(versionLine(version))
      return 0
    }
    const entry = COMMANDS[ALIASES[name] ?? name]
    if (!entry && name.startsWith("-")) throw new InputError(`unknown option \`${name}\``, { hint: "Options go after the command (devrig ps --json); run `devrig --help` for the global ones" })
    if (!entry) throw new InputError(`unknown command \`${name}\`${didYouMean(name, Object.keys(COMMANDS))}`, { hint: "Run `devrig --help` for the list of commands" })
    const cmd = await entry.load()
    const args = rest.slice(1)
    const leaf = await leafCommand(cmd, args)
    if (args.includes("--help") || args.includes("-h")) {
      // citty colours its usage unless NO_COLOR=1, whatever the terminal or --no-color say.
      const text = (await renderUsage(leaf.cmd, leaf.parent)).replace(/USAGE((?:\x1b\[[0-9;]*m)*) ((?:\x1b\[[0-9;]*m)*)/, "USAGE$1 $2devrig ")
      println(globalOptions.color ? text : text.replace(/\x1b\[[0-9;]*m/g, ""))
      return 0
    }
    const label = [name, ...leaf.path].join(" ")
    checkFlags(await resolve(leaf.cmd.args), leaf.args, label)
    await needsSubCommand(leaf.cmd, label)
    const { result } = await runCommand(cmd, { rawArgs: args })
    return typeof result === "number" ? result : 0
  } catch (e) {
    return report(e)
  }
}

/** Index of the command name: the first word that is neither a flag nor the value of -f. */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === "-f" || a === "--file") i++
    else if (!a.startsWith("-")) return i
  }
  return -1
}

function usage(version: string): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2
  const lines = Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(width)}${v.description}`)
  return [
    `${c.bold("devrig")} ${version} — one command for your whole local dev environment`,
    "",
    `${c.bold("Usage:")} devrig [-f FILE] [--verbose] [--no-color] <command> [options]`,
    "",
    c.bold("Commands:"),
    ...lines,
    "",
    c.bold("Global options:"),
    "  -f, --file FILE  use FILE instead of devrig.toml (found from the current directory up)",
    "  --verbose        more detail; stack traces of internal errors",
    "  --no-color       plain output (also NO_COLOR=1)",
    "  -V, --version    print the version",
    "",
    "Run `devrig <command> --help` for a command's options.",
  ].join("\n")
}

async function resolve<T>(v: T | Promise<T> | (() => T | Promise<T>) | undefined): Promise<T | undefined> {
  return typeof v === "function" ? await (v as () => T | Promise<T>)() : await v
}

/** Follows positional sub-command names (`query traces`, `cluster create`). */
async function leafCommand(cmd: CommandDef<any>, args: string[], path: string[] = []) {
  let parent: CommandDef<any> | undefined
  let current = cmd
  let rest = args
  for (;;) {
    const subs = await resolve(current.subCommands)
    const first = rest.find((a) => !a.startsWith("-"))
    if (!subs || !first) break
    const sub = subs[first]
    if (!sub) {
      if (!(await resolve(current.args)) || !Object.values((await resolve(current.args)) as ArgsDef).some((a) => a.type === "positional"))
        throw new InputError(`unknown subcommand \`${first}\`${didYouMean(first, Object.keys(subs))}`)
      break
    }
    parent = current
    current = (await resolve(sub)) as CommandDef<any>
    path.push(first)
    rest = rest.slice(rest.indexOf(first) + 1)
  }
  return { cmd: current, parent, args: rest, path }
}

/** A command made only of sub-commands (`query`, `cluster`), named alone: say which exist. */
async function needsSubCommand(cmd: CommandDef<any>, name: string): Promise<void> {
  const subs = await resolve(cmd.subCommands)
  if (!subs || cmd.run) return
  const names: string[] = []
  for (const [k, v] of Object.entries(subs)) if (!(await resolve(((await resolve(v)) as CommandDef<any>).meta))?.hidden) names.push(k)
  throw new InputError(`\`devrig ${name}\` needs a sub-command: ${names.join(", ")}`, { hint: `e.g. devrig ${name} ${names[0]} --help` })
}

/**
 * Unknown flags, a flag that needs a value given none, a value given to a switch (`--json=maybe`)
 * and words for a command that takes none (`ps api`) are input errors, not silently ignored.
 */
function checkFlags(def: ArgsDef | undefined, args: string[], name: string): void {
  const known = new Map<string, string>([["help", "boolean"], ["h", "boolean"]])
  let positionals = false
  for (const [k, a] of Object.entries({ ...globalArgs, ...(def ?? {}) } as ArgsDef)) {
    if (a.type === "positional") {
      positionals = true
      continue
    }
    const type = a.type ?? "string"
    for (const f of [k, kebab(k), ...[(a as { alias?: string | string[] }).alias ?? []].flat()]) known.set(f, type)
    if (a.type === "boolean") known.set(`no-${kebab(k)}`, "boolean")
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === "--") break
    if (!a.startsWith("-") || /^-\d/.test(a)) {
      if (!positionals) throw new InputError(`unexpected argument \`${a}\` for devrig ${name}`, { hint: `devrig ${name} takes options only; see devrig ${name} --help` })
      continue
    }
    const [flag, value] = splitOnce(a.replace(/^--?/, ""), "=")
    const flags = a.startsWith("--") ? [flag] : flag.split("")
    for (const f of flags)
      if (!known.has(f)) throw new InputError(`unknown option \`${a.startsWith("--") ? "--" : "-"}${f}\` for devrig ${name}${didYouMean(f, [...known.keys()].filter((k) => k.length > 1))}`)
    const type = known.get(flags[flags.length - 1]!)
    if (type === "boolean") {
      if (value !== undefined && value !== "true" && value !== "false") throw new InputError(`\`${a.split("=")[0]}\` takes no value (got \`${value}\`)`)
      continue
    }
    if (value !== undefined) continue
    const next = args[i + 1]
    if (next === undefined || next === "--" || (next.startsWith("--") && next.length > 2))
      throw new InputError(`\`${a}\` needs a value`, { hint: `see devrig ${name} --help` })
    i++ // the value, even when it looks like a word or a short flag (`--grep -x`)
  }
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep)
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)]
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)

function report(e: unknown): number {
  if (isDevrigError(e)) {
    eprintln(`${c.red("✗")} ${e.message}`)
    for (const d of e.details) eprintln(d)
    if (e.hint) eprintln(`  ${c.dim("→")} ${e.hint}`)
    if (globalOptions.verbose && e.cause) eprintln(c.dim(String((e.cause as Error).stack ?? e.cause)))
    return e.exitCode
  }
  const err = e as Error
  // citty's own argument errors (missing required argument, …) are input errors.
  if (err?.name === "CLIError") {
    eprintln(`${c.red("✗")} ${err.message}`)
    return 1
  }
  eprintln(`${c.red("✗")} unexpected error: ${err?.message ?? String(e)}`)
  if (globalOptions.verbose) eprintln(c.dim(err?.stack ?? ""))
  else eprintln(`  ${c.dim("→")} run again with --verbose for details`)
  return 3
}
