/**
 * `devrig completions bash|zsh|fish`: a completion script generated from COMMANDS and each
 * command's citty args, so it names exactly the commands and flags that exist. Component names
 * are the one dynamic part: the script asks `devrig completions __names KIND` at TAB time.
 */
import { defineCommand, type ArgsDef, type CommandDef } from "citty"
import { inspectConfig, findConfigFile } from "../config/load.ts"
import { componentNames } from "../config/validate.ts"
import { InputError } from "../errors.ts"
import { globalArgs, globalOptions } from "./context.ts"
import { ALIASES, COMMANDS, COMPLETIONS_DESCRIPTION } from "./commands.ts"

type NameKind = "services" | "containers" | "all"
const KINDS: NameKind[] = ["services", "containers", "all"]

/** Which positionals are component names: every one (`many`) or only the first. */
const NAME_ARGS: Record<string, { kind: NameKind; many: boolean }> = {
  start: { kind: "all", many: true },
  stop: { kind: "services", many: true },
  restart: { kind: "all", many: true },
  logs: { kind: "all", many: true },
  env: { kind: "services", many: false },
  exec: { kind: "containers", many: false },
  reset: { kind: "containers", many: false },
}


/** Flag values worth offering, by flag name (checked by src/query/parse.ts and query.ts). */
const CHOICES: Record<string, string[]> = {
  format: ["json", "json-pretty", "table"],
  status: ["ok", "error"],
  level: ["trace", "debug", "info", "warn", "error", "fatal"],
}

interface Flag {
  words: string[]
  description: string
  /** undefined for a switch; "@file", "@names KIND" or a space-separated list of choices */
  value?: string
}

interface Cmd {
  key: string
  description: string
  flags: Flag[]
  subs: { name: string; description: string }[]
}

type AnyCommand = CommandDef<any>

const _resolve = async <T>(v: T | Promise<T> | (() => T | Promise<T>) | undefined): Promise<T | undefined> =>
  typeof v === "function" ? await (v as () => T | Promise<T>)() : await v
const _kebab = (s: string) => s.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)
const _oneLine = (s: string | undefined) => (s ?? "").replace(/\s+/g, " ").trim()

function _flags(args: ArgsDef | undefined): Flag[] {
  const out: Flag[] = []
  for (const [k, a] of Object.entries(args ?? {})) {
    if (a.type === "positional") continue
    const name = _kebab(k)
    const aliases = [(a as { alias?: string | string[] }).alias ?? []].flat()
    const words = [`--${name}`, ...aliases.map((x) => (x.length === 1 ? `-${x}` : `--${x}`))]
    if (a.type === "boolean") {
      out.push({ words, description: _oneLine(a.description) })
      if (a.default === true) out.push({ words: [`--no-${name}`], description: _oneLine((a as { negativeDescription?: string }).negativeDescription) })
      continue
    }
    const choices = a.type === "enum" ? a.options : CHOICES[name]
    const value = name === "file" ? "@file" : name === "service" ? "@names all" : (choices ?? []).join(" ")
    out.push({ words, description: _oneLine(a.description), value })
  }
  return out
}

const HELP: Flag = { words: ["--help", "-h"], description: "Show this command's options" }

/** Every command (and sub-command) with its flags, in COMMANDS order. The first entry is the top level. */
export async function commandSpec(): Promise<Cmd[]> {
  const top: Cmd = {
    key: "",
    description: "",
    flags: [..._flags(globalArgs), { ...HELP, description: "List the commands" }, { words: ["--version", "-V"], description: "Print the version" }],
    subs: [],
  }
  const out = [top]
  const add = async (key: string, def: AnyCommand, description: string) => {
    const cmd: Cmd = { key, description, flags: [..._flags(await _resolve(def.args)), HELP], subs: [] }
    out.push(cmd)
    for (const [name, s] of Object.entries((await _resolve(def.subCommands)) ?? {})) {
      const sub = (await _resolve(s)) as AnyCommand
      const meta = await _resolve(sub.meta)
      if (meta?.hidden) continue
      cmd.subs.push({ name, description: _oneLine(meta?.description) })
      if (!key.includes(" ")) await add(`${key} ${name}`, sub, _oneLine(meta?.description))
    }
  }
  for (const [name, entry] of Object.entries(COMMANDS)) await add(name, await entry.load(), entry.description)
  await add("completions", completions, COMPLETIONS_DESCRIPTION)
  for (const [alias, target] of Object.entries(ALIASES)) top.subs.push({ name: alias, description: `Short for devrig ${target}` })
  top.subs.unshift(...out.slice(1).filter((c) => !c.key.includes(" ")).map((c) => ({ name: c.key, description: c.description })))
  return out
}

// ─── Rendering ──────────────────────────────────────────────────────────────────────────────

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
const fq = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`

/** The data functions, in sh `case` syntax (bash and zsh share them). */
function _shData(spec: Cmd[]): string {
  const lines = (items: string[]) => (items.length ? `printf '%s\\n' ${items.map(sq).join(" ")}` : ":")
  const withSubs = spec.filter((c) => c.subs.length && c.key !== "")
  const values: string[] = []
  for (const c of spec)
    for (const f of c.flags)
      if (f.value !== undefined && f.value !== "@file") values.push(`    ${sq(`${c.key}/${f.words[0]}`)}${f.words.slice(1).map((w) => `|${sq(`${c.key}/${w}`)}`).join("")}) echo ${sq(f.value)} ;;`)
  return [
    `_devrig_cmds() { ${lines(spec[0]!.subs.map((s) => `${s.name}:${s.description}`))}; }`,
    "_devrig_subs() {",
    "  case $1 in",
    ...withSubs.map((c) => `    ${sq(c.key)}) ${lines(c.subs.map((s) => `${s.name}:${s.description}`))} ;;`),
    "  esac",
    "}",
    "_devrig_flags() {",
    "  case $1 in",
    ...spec.map((c) => `    ${sq(c.key)}) ${lines(c.flags.flatMap((f) => f.words.map((w) => `${w}:${f.description}`)))} ;;`),
    "  esac",
    "}",
    "# What a flag's value completes to (@file, @names KIND, or words); fails for a switch.",
    "_devrig_value() {",
    "  case $2 in -f|--file) echo @file; return 0 ;; esac",
    '  case "$1/$2" in',
    ...values,
    "    *) return 1 ;;",
    "  esac",
    "}",
    "# The kind of names the Nth (0-based) positional of a command takes; fails for none.",
    "_devrig_slot() {",
    '  case "$1/$2" in',
    ...Object.entries(NAME_ARGS).map(([k, v]) => `    ${v.many ? `${sq(`${k}/`)}*` : sq(`${k}/0`)}) echo ${v.kind} ;;`),
    "    *) return 1 ;;",
    "  esac",
    "}",
    `_devrig_alias() { case $1 in ${Object.entries(ALIASES).map(([a, t]) => `${a}) echo ${t} ;;`).join(" ")} *) echo "$1" ;; esac; }`,
    "_devrig_names() {",
    '  if [ -n "$3" ]; then "$1" -f "$3" completions __names "$2" 2>/dev/null',
    '  else "$1" completions __names "$2" 2>/dev/null; fi',
    "}",
  ].join("\n")
}

/** The word walk shared by bash and zsh: sets cmd, sub, file and npos from the words before the cursor. */
const WALK = (words: string, start: number, end: string) => `  local cmd='' sub='' file='' npos=0 i=${start} w
  while (( i < ${end} )); do
    w=\${${words}[i]}
    i=$((i + 1))
    if [[ $w == -* ]]; then
      if [[ $w == --*=* ]]; then
        [[ -z $cmd && $w == --file=* ]] && file=\${w#--file=}
      elif [[ \${${words}[i]-} == = ]]; then
        [[ -z $cmd && $w == --file ]] && file=\${${words}[i+1]-}
        i=$((i + 2))
      elif _devrig_value "$cmd\${sub:+ $sub}" "$w" >/dev/null; then
        [[ -z $cmd && ( $w == -f || $w == --file ) ]] && file=\${${words}[i]-}
        i=$((i + 1))
      fi
    elif [[ -z $cmd ]]; then cmd=$(_devrig_alias "$w")
    elif [[ -z $sub && -n $(_devrig_subs "$cmd") ]]; then sub=$w
    else npos=$((npos + 1))
    fi
  done
  local key="$cmd\${sub:+ $sub}" value`

export function bashScript(spec: Cmd[]): string {
  return `# bash completion for devrig. Generated by \`devrig completions bash\`; load it with
#   source <(devrig completions bash)
${_shData(spec)}
_devrig() {
  local cur=\${COMP_WORDS[COMP_CWORD]} flag=\${COMP_WORDS[COMP_CWORD-1]} bin=\${COMP_WORDS[0]/#\\~/$HOME}
${WALK("COMP_WORDS", 1, "COMP_CWORD")}
  COMPREPLY=()
  if [[ $cur == = ]]; then cur=''
  elif [[ $flag == = && $COMP_CWORD -ge 2 ]]; then flag=\${COMP_WORDS[COMP_CWORD-2]}; fi
  if [[ $flag == -* ]] && value=$(_devrig_value "$key" "$flag"); then
    case $value in
      @file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
      @names*) mapfile -t COMPREPLY < <(compgen -W "$(_devrig_names "$bin" "\${value#@names }" "$file")" -- "$cur") ;;
      *) mapfile -t COMPREPLY < <(compgen -W "$value" -- "$cur") ;;
    esac
    return 0
  fi
  local words
  if [[ $cur == -* ]]; then words=$(_devrig_flags "$key")
  elif [[ -z $cmd ]]; then words=$(_devrig_cmds)
  elif [[ -z $sub && -n $(_devrig_subs "$cmd") ]]; then words=$(_devrig_subs "$cmd")
  elif value=$(_devrig_slot "$cmd" "$npos"); then words=$(_devrig_names "$bin" "$value" "$file")
  else return 0
  fi
  local line
  while IFS= read -r line; do
    line=\${line%%:*}
    [[ -n $line && $line == "$cur"* ]] && COMPREPLY+=("$line")
  done <<< "$words"
  return 0
}
complete -F _devrig devrig
`
}

export function zshScript(spec: Cmd[]): string {
  return `#compdef devrig
# zsh completion for devrig. Generated by \`devrig completions zsh\`; either save it as _devrig in a
# directory of $fpath, or (after compinit) load it with: source <(devrig completions zsh)
${_shData(spec)}
_devrig() {
  local cur=\${words[CURRENT]} flag=\${words[CURRENT-1]} bin=\${words[1]/#\\~/$HOME}
${WALK("words", 2, "CURRENT")}
  if [[ $cur == --*=* ]]; then flag=\${cur%%=*}; compset -P '*='; fi
  if [[ $flag == -* ]] && value=$(_devrig_value "$key" "$flag"); then
    case $value in
      @file) _files ;;
      @names*) compadd -- \${(f)"$(_devrig_names "$bin" "\${value#@names }" "$file")"} ;;
      *) compadd -- \${=value} ;;
    esac
    return
  fi
  local -a items
  if [[ $cur == -* ]]; then items=(\${(f)"$(_devrig_flags "$key")"}); _describe -t options option items
  elif [[ -z $cmd ]]; then items=(\${(f)"$(_devrig_cmds)"}); _describe -t commands command items
  elif [[ -z $sub && -n $(_devrig_subs "$cmd") ]]; then items=(\${(f)"$(_devrig_subs "$cmd")"}); _describe -t commands subcommand items
  elif value=$(_devrig_slot "$cmd" "$npos"); then compadd -- \${(f)"$(_devrig_names "$bin" "$value" "$file")"}
  fi
}
if [[ $funcstack[1] == _devrig ]]; then _devrig "$@"; else compdef _devrig devrig; fi
`
}

export function fishScript(spec: Cmd[]): string {
  const tsv = (items: [string, string][]) => (items.length ? `printf '%s\\t%s\\n' ${items.map(([w, d]) => `${fq(w)} ${fq(d)}`).join(" ")}` : "true")
  const values: string[] = []
  for (const c of spec)
    for (const f of c.flags)
      if (f.value !== undefined && f.value !== "@file") values.push(`    case ${f.words.map((w) => fq(`${c.key}/${w}`)).join(" ")}; echo ${fq(f.value)}`)
  return `# fish completion for devrig. Generated by \`devrig completions fish\`; save it as
#   ~/.config/fish/completions/devrig.fish   (or: devrig completions fish | source)
function __devrig_cmds; ${tsv(spec[0]!.subs.map((s) => [s.name, s.description]))}; end
function __devrig_subs
  switch $argv[1]
${spec.filter((c) => c.subs.length && c.key !== "").map((c) => `    case ${fq(c.key)}; ${tsv(c.subs.map((s) => [s.name, s.description]))}`).join("\n")}
  end
end
function __devrig_flags
  switch $argv[1]
${spec.map((c) => `    case ${fq(c.key)}; ${tsv(c.flags.flatMap((f) => f.words.map((w): [string, string] => [w, f.description])))}`).join("\n")}
  end
end
function __devrig_value
  contains -- $argv[2] -f --file; and echo @file; and return 0
  switch "$argv[1]/$argv[2]"
${values.join("\n")}
    case '*'; return 1
  end
end
function __devrig_slot
  switch "$argv[1]/$argv[2]"
${Object.entries(NAME_ARGS).map(([k, v]) => `    case ${fq(`${k}/${v.many ? "*" : "0"}`)}; echo ${v.kind}`).join("\n")}
    case '*'; return 1
  end
end
function __devrig_names
  if test -n "$argv[3]"; $argv[1] -f $argv[3] completions __names $argv[2] 2>/dev/null
  else; $argv[1] completions __names $argv[2] 2>/dev/null; end
end
function __devrig_complete
  set -l words (commandline -opc)
  set -l cur (commandline -ct)
  set -l bin $words[1]
  set -l cmd ''; set -l sub ''; set -l file ''; set -l npos 0; set -l key ''
  set -l i 2
  while test $i -le (count $words)
    set -l w $words[$i]
    set i (math $i + 1)
    if string match -q -- '-*' $w
      if string match -q -- '--*=*' $w
        test -z "$cmd"; and string match -q -- '--file=*' $w; and set file (string replace -- --file= '' $w)
      else if __devrig_value "$key" $w >/dev/null
        test -z "$cmd"; and contains -- $w -f --file; and set file $words[$i]
        set i (math $i + 1)
      end
    else if test -z "$cmd"
      set cmd $w
${Object.entries(ALIASES).map(([a, t]) => `      test "$cmd" = ${a}; and set cmd ${t}`).join("\n")}
      set key $cmd
    else if test -z "$sub"; and test -n "$(__devrig_subs $cmd)"
      set sub $w
      set key "$cmd $sub"
    else
      set npos (math $npos + 1)
    end
  end
  set -l flag $words[-1]
  if string match -q -- '-*' $flag; and set -l value (__devrig_value "$key" $flag)
    switch "$value"
      case @file; __fish_complete_path $cur
      case '@names *'; __devrig_names $bin (string replace '@names ' '' $value) "$file"
      case '*'; string split ' ' -- $value
    end
    return
  end
  if string match -q -- '-*' $cur; __devrig_flags "$key"
  else if test -z "$cmd"; __devrig_cmds
  else if test -z "$sub"; and test -n "$(__devrig_subs $cmd)"; __devrig_subs $cmd
  else if set -l kind (__devrig_slot $cmd $npos); __devrig_names $bin $kind "$file"
  end
end
complete -c devrig -f -a '(__devrig_complete)'
`
}

// ─── Commands ───────────────────────────────────────────────────────────────────────────────

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript }

const shell = (name: keyof typeof SCRIPTS, how: string) =>
  defineCommand({
    meta: { name, description: `Print the ${name} completion script (${how})` },
    async run() {
      process.stdout.write(SCRIPTS[name](await commandSpec()))
      return 0
    },
  })

function _keys(v: unknown): string[] {
  return v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : []
}

/** Component names of the config found from cwd (or -f); nothing when there is none or it is unreadable. */
export function projectNames(kind: NameKind): string[] {
  try {
    const { loaded } = inspectConfig(findConfigFile({ file: globalOptions.file }))
    if (!loaded) return []
    const cfg = loaded.config as unknown as Record<string, unknown>
    if (kind === "services") return _keys(cfg.services)
    if (kind === "containers") return _keys(cfg.docker)
    return [...componentNames(loaded.config, loaded.ctx)].filter((n) => typeof n === "string")
  } catch {
    return []
  }
}

const names = defineCommand({
  meta: { name: "__names", description: "Component names for the completion scripts, one per line", hidden: true },
  args: { kind: { type: "positional", required: false, description: "services, containers or all (default)" } },
  run({ args }) {
    const kind = (args.kind ?? "all") as NameKind
    if (!KINDS.includes(kind)) throw new InputError(`unknown kind \`${kind}\``, { hint: `use ${KINDS.join(", ")}` })
    for (const n of projectNames(kind)) process.stdout.write(`${n}\n`)
    return 0
  },
})

const completions = defineCommand({
  meta: { name: "completions", description: "Shell completion scripts for bash, zsh and fish" },
  subCommands: {
    bash: shell("bash", "source <(devrig completions bash)"),
    zsh: shell("zsh", "source <(devrig completions zsh)"),
    fish: shell("fish", "devrig completions fish | source"),
    __names: names,
  },
  // citty runs this after a sub-command too: complain only when none was named.
  run({ rawArgs }) {
    if (!rawArgs.some((a) => !a.startsWith("-"))) throw new InputError("which shell? bash, zsh or fish", { hint: "e.g. source <(devrig completions bash)" })
  },
})

export default completions
