/**
 * `devrig skill install [--global]`: writes the Claude Code skill shipped inside the binary into
 * `.claude/skills/devrig/` of the project (next to devrig.toml, else the current directory) or of
 * HOME. Idempotent: each file is reported as created, updated or unchanged.
 */
import { defineCommand } from "citty"
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
// @ts-expect-error -- no module declaration for .md; Bun's text loader inlines it as a string
import skillMd from "../../skill/claude-code/SKILL.md" with { type: "text" }
// @ts-expect-error -- likewise for .sh
import helperSh from "../../skill/claude-code/devrig.sh" with { type: "text" }
import { projectDirOrCwd } from "../config/load.ts"
import { InputError } from "../errors.ts"
import { home } from "../env.ts"
import { globalOptions } from "./context.ts"
import { c, println } from "./output.ts"

export interface SkillFile {
  name: string
  content: string
  mode: number
}

/** The skill as embedded at build time. */
export const SKILL_FILES: SkillFile[] = [
  { name: "SKILL.md", content: skillMd as string, mode: 0o644 },
  { name: "devrig.sh", content: helperSh as string, mode: 0o755 },
]

export type Change = "created" | "updated" | "unchanged"

/** Writes the files into dir, touching only what differs (content or mode). */
export function installSkill(dir: string, files: SkillFile[] = SKILL_FILES): { name: string; change: Change }[] {
  try {
    mkdirSync(dir, { recursive: true })
    return files.map((f) => {
      const path = join(dir, f.name)
      const change = _compare(path, f)
      if (change !== "unchanged") {
        writeFileSync(path, f.content)
        chmodSync(path, f.mode) // writeFileSync's mode applies only to new files, and umask trims it
      }
      return { name: f.name, change }
    })
  } catch (e) {
    throw new InputError(`cannot install the skill into ${dir}: ${(e as Error).message}`, { cause: e })
  }
}

function _compare(path: string, f: SkillFile): Change {
  if (!existsSync(path)) return "created"
  if (!statSync(path).isFile()) return "updated"
  const same = readFileSync(path, "utf8") === f.content && (statSync(path).mode & 0o777) === f.mode
  return same ? "unchanged" : "updated"
}

const install = defineCommand({
  meta: { name: "install", description: "Install the skill into .claude/skills/devrig/ of this project (--global: of your home)" },
  args: { global: { type: "boolean", description: "Install into ~/.claude/skills/devrig/ instead of the project" } },
  run({ args }) {
    const dir = join(args.global ? home() : projectDirOrCwd(globalOptions.file), ".claude", "skills", "devrig")
    const results = installSkill(dir)
    const changed = results.some((r) => r.change !== "unchanged")
    println(changed ? `${c.green("✓")} Claude Code skill installed in ${dir}` : `${c.green("✓")} Claude Code skill in ${dir} is up to date`)
    for (const r of results) println(`  ${(r.change === "unchanged" ? c.dim : (s: string) => s)(r.change.padEnd(9))} ${r.name}`)
    return 0
  },
})

export default defineCommand({
  meta: { name: "skill", description: "The Claude Code skill that lets Claude query this environment" },
  subCommands: { install },
  // citty runs this after a sub-command too: complain only when none was named.
  run({ rawArgs }) {
    if (!rawArgs.some((a) => !a.startsWith("-"))) throw new InputError("`devrig skill` needs a sub-command", { hint: "devrig skill install [--global]" })
  },
})
