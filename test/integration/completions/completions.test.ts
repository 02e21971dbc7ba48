// `devrig completions bash|zsh|fish` and the hidden `completions __names`: the scripts load in
// their shells and complete commands, flags, flag values and the project's component names.
import { describe, expect, test } from "bun:test"
import { dirname, join } from "node:path"
import { BIN, devrig, tempProject } from "../../helpers/cli.ts"
import { COMMANDS } from "../../../src/cli/commands.ts"

const TOML = `[project]
name = "completions"

[services.api]
command = "sleep 60"

[services.web]
command = "sleep 60"

[docker.postgres]
image = "postgres:16"
`
const OTHER = `[project]\nname = "other"\n\n[services.worker]\ncommand = "sleep 60"\n`

/** PATH with dist/ first, so the scripts' `devrig` (the completed command word) is this build. */
const ENV = { PATH: `${dirname(BIN)}:${process.env.PATH}`, NO_COLOR: "1" }

async function sh(argv: string[], cwd: string, stdin?: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(argv, { cwd, env: { ...process.env, ...ENV }, stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin), stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { exitCode, stdout, stderr }
}

function requireShell(name: string): string {
  const path = Bun.which(name)
  if (!path) throw new Error(`${name} is not installed: apt-get install -y ${name} (the completion tests need bash, zsh and fish)`)
  return path
}

/** Completes each line (words separated by single spaces; a trailing space means an empty current word) in bash. */
async function bashComplete(lines: string[], cwd: string): Promise<string[][]> {
  const harness = `source <(devrig completions bash) || exit 9
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _devrig; printf '%s\\n' "\${COMPREPLY[*]}"; }
${lines.map((l) => `t ${l.split(" ").map((w) => `'${w}'`).join(" ")}`).join("\n")}
`
  const r = await sh([requireShell("bash"), "-c", harness], cwd)
  expect(r.stderr).toBe("")
  expect(r.exitCode).toBe(0)
  return r.stdout.split("\n").slice(0, lines.length).map((l) => (l ? l.split(" ") : []))
}

const commandNames = () => [...Object.keys(COMMANDS), "completions", "k"]

describe("bash", () => {
  test("the script loads and registers _devrig for devrig", async () => {
    const r = await sh([requireShell("bash"), "-c", "source <(devrig completions bash) && complete -p devrig"], tempProject().dir)
    expect(r).toEqual({ exitCode: 0, stdout: "complete -F _devrig devrig\n", stderr: "" })
  })

  test("commands, sub-commands, flags and flag values", async () => {
    const p = tempProject(TOML)
    const [all, qu, query, traces, format, formatEq, level, completions, since] = await bashComplete(
      ["devrig ", "devrig qu", "devrig query ", "devrig query traces --", "devrig query traces --format ", "devrig query traces --format = json-", "devrig query logs --level ", "devrig completions ", "devrig logs --since "],
      p.dir,
    )
    expect(all!.sort()).toEqual(commandNames().sort())
    expect(all).toContain("skill")
    expect(all).toContain("completions")
    expect(qu).toEqual(["query"])
    expect(query).toEqual(["traces", "trace", "related", "metrics", "logs", "status"])
    expect(traces).toEqual(expect.arrayContaining(["--service", "--status", "--min-duration", "--around", "--window", "--format", "--help"]))
    expect(format).toEqual(["json", "json-pretty", "table"])
    expect(formatEq).toEqual(["json-pretty"])
    expect(level).toEqual(["trace", "debug", "info", "warn", "error", "fatal"])
    expect(completions).toEqual(["bash", "zsh", "fish"]) // __names stays hidden
    expect(since).toEqual([]) // a value with nothing to offer, not the component names
  })

  test("every option a command's --help shows is completed", async () => {
    const p = tempProject(TOML)
    const paths = ["start", "ps", "logs", "env", "validate", "init", "doctor", "eject", "skill install", "query traces", "query trace", "query related", "query metrics", "query logs", "query status", "cluster create"]
    const got = await bashComplete(paths.map((c) => `devrig ${c} -`), p.dir)
    for (const [i, path] of paths.entries()) {
      const help = await devrig([...path.split(" "), "--help"], { cwd: p.dir, env: ENV })
      expect(help.exitCode).toBe(0)
      const options = help.stdout.split(/^OPTIONS$/m)[1] ?? ""
      const flags = [...options.matchAll(/^\s*(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!)
      expect(flags.length).toBeGreaterThan(0)
      expect(got[i]).toEqual(expect.arrayContaining(flags))
    }
  })

  test("component names: services and containers where each command takes them", async () => {
    const p = tempProject(TOML)
    const [restart, start2, stop, env, envVar, exec, reset, logs, service, partial] = await bashComplete(
      ["devrig restart ", "devrig start api ", "devrig stop ", "devrig env ", "devrig env api ", "devrig exec ", "devrig reset ", "devrig logs --tail 5 ", "devrig query logs --service ", "devrig restart a"],
      p.dir,
    )
    expect(restart).toEqual(["api", "web", "postgres"])
    expect(start2).toEqual(["api", "web", "postgres"])
    expect(stop).toEqual(["api", "web"]) // stop takes services only
    expect(env).toEqual(["api", "web"])
    expect(envVar).toEqual([]) // the second positional is a variable name
    expect(exec).toEqual(["postgres"])
    expect(reset).toEqual(["postgres"])
    expect(logs).toEqual(["api", "web", "postgres"])
    expect(service).toEqual(["api", "web", "postgres"])
    expect(partial).toEqual(["api"])
  })

  test("-f before the command: its names, and file names for -f itself", async () => {
    const p = tempProject(TOML, { "configs/devrig.other.toml": OTHER })
    const [names, file, none] = await bashComplete(["devrig -f configs/devrig.other.toml restart ", "devrig -f configs/devrig.o", "devrig k "], p.dir)
    expect(names).toEqual(["worker"])
    expect(file).toEqual(["configs/devrig.other.toml"])
    expect(none).toEqual([]) // kubectl's arguments are kubectl's
  })

  test("outside a project: commands still complete, names are empty", async () => {
    const [cmds, names] = await bashComplete(["devrig res", "devrig restart "], tempProject().dir)
    expect(cmds).toEqual(["restart", "reset"])
    expect(names).toEqual([])
  })
})

describe("zsh", () => {
  test("the script parses (zsh -n) and registers with compinit", async () => {
    const zsh = requireShell("zsh")
    const p = tempProject(TOML)
    const script = (await devrig(["completions", "zsh"], { cwd: p.dir })).stdout
    expect(script).toStartWith("#compdef devrig\n")
    const parse = await sh([zsh, "-n"], p.dir, script)
    expect(parse).toEqual({ exitCode: 0, stdout: "", stderr: "" })
    const load = await sh([zsh, "-fc", `autoload -U compinit && compinit -u -D -d ${p.dir}/.zcompdump && source <(devrig completions zsh) && print -r -- $_comps[devrig]`], p.dir)
    expect(load).toEqual({ exitCode: 0, stdout: "_devrig\n", stderr: "" })
  })

  test("_devrig offers commands, flag values and names (zle builtins stubbed)", async () => {
    const p = tempProject(TOML)
    const harness = `compdef() { :; }
source <(devrig completions zsh)
compadd() { [[ $1 == -- ]] && shift; print -r -- "$*"; }
_describe() { local -a a; a=("\${(P@)4}"); print -r -- \${a%%:*}; }
compset() { :; }
t() { words=("$@"); CURRENT=\${#words}; _devrig; }
t devrig query ''
t devrig query traces --format ''
t devrig restart ''
t devrig exec ''
`
    const r = await sh([requireShell("zsh"), "-fc", harness], p.dir)
    expect(r.stderr).toBe("")
    expect(r.stdout.split("\n")).toEqual(["traces trace related metrics logs status", "json json-pretty table", "api web postgres", "postgres", ""])
  })
})

describe("fish", () => {
  test("the script parses (fish -n) and completes commands, flag values and names", async () => {
    const fish = requireShell("fish")
    const p = tempProject(TOML)
    const script = (await devrig(["completions", "fish"], { cwd: p.dir })).stdout
    expect(await sh([fish, "-n"], p.dir, script)).toEqual({ exitCode: 0, stdout: "", stderr: "" })
    const lines = ["devrig qu", "devrig query traces --format ", "devrig restart ", "devrig env ", "devrig completions "]
    const harness = `devrig completions fish | source
for l in ${lines.map((l) => `'${l}'`).join(" ")}
  echo (complete -C"$l" | string replace -r '\\t.*' '' | sort)
end`
    const r = await sh([fish, "--no-config", "-c", harness], p.dir)
    expect(r.stderr).toBe("")
    expect(r.stdout.split("\n").slice(0, lines.length)).toEqual(["query", "json json-pretty table", "api postgres web", "api web", "bash fish zsh"])
  })
})

describe("completions __names", () => {
  test("lists services and containers, one per line; by kind", async () => {
    const p = tempProject(TOML)
    const [all, services, containers] = await Promise.all(["all", "services", "containers"].map((k) => devrig(["completions", "__names", k], { cwd: join(p.dir) })))
    expect(all).toEqual({ exitCode: 0, stdout: "api\nweb\npostgres\n", stderr: "" })
    expect(services!.stdout).toBe("api\nweb\n")
    expect(containers!.stdout).toBe("postgres\n")
    expect((await devrig(["completions", "__names"], { cwd: p.dir })).stdout).toBe(all!.stdout)
  })

  test("no config, or one that does not parse: nothing, exit 0", async () => {
    const none = await devrig(["completions", "__names"], { cwd: tempProject().dir })
    expect(none).toEqual({ exitCode: 0, stdout: "", stderr: "" })
    const broken = await devrig(["completions", "__names"], { cwd: tempProject("[services.api\ncommand = ").dir })
    expect(broken).toEqual({ exitCode: 0, stdout: "", stderr: "" })
  })

  test("a config with problems still yields the names it has", async () => {
    const p = tempProject(`[project]\nname = "x"\n\n[services.api]\ncommand = "x"\ndepends_on = ["nope"]\n`)
    expect((await devrig(["completions", "__names"], { cwd: p.dir })).stdout).toBe("api\n")
  })

  test("is hidden from help", async () => {
    const r = await devrig(["completions", "--help"], { cwd: tempProject().dir })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("bash")
    expect(r.stdout).not.toContain("__names")
  })
})

describe("errors", () => {
  test("no shell, an unknown shell, an unknown kind: exit 1", async () => {
    const cwd = tempProject().dir
    const none = await devrig(["completions"], { cwd })
    expect(none.exitCode).toBe(1)
    expect(none.stderr).toContain("which shell? bash, zsh or fish")
    const ps = await devrig(["completions", "powershell"], { cwd })
    expect(ps.exitCode).toBe(1)
    expect(ps.stderr).toContain("unknown subcommand `powershell`")
    const kind = await devrig(["completions", "__names", "pods"], { cwd })
    expect(kind.exitCode).toBe(1)
    expect(kind.stderr).toContain("unknown kind `pods`")
  })
})
