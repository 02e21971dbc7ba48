import { defineCommand } from "citty"
import { loadProject } from "../config/load.ts"
import { ConfigError, type LocatedProblem } from "../config/problems.ts"
import { maskEnv, renderPlan, summaryLine } from "./plan.ts"
import { globalOptions } from "./context.ts"
import { c, println } from "./output.ts"

export default defineCommand({
  meta: { name: "validate", description: "Check devrig.toml (every problem at once, with line:column) and show the resolved plan" },
  args: {
    quiet: { type: "boolean", alias: "q", description: "Only the one-line summary" },
    json: { type: "boolean", description: 'JSON: {"ok": true, "file", …the resolved configuration} or {"ok": false, "file", "problems": [{file, line, col, key, message, hint}]} (exit 1)' },
    "show-secrets": { type: "boolean", description: "Do not mask values that came from env files" },
  },
  async run({ args }) {
    if (args.json) return await _json(!!args["show-secrets"])
    const { loaded, config } = await loadProject({ file: globalOptions.file })
    println(`${c.green("✓")} ${summaryLine(loaded.path, config)}`)
    if (!args.quiet) println(renderPlan(config, { showSecrets: !!args["show-secrets"] }))
    return 0
  },
})

/** The problems of an invalid file go to stdout as JSON too, so scripts and agents can read them. */
async function _json(show: boolean): Promise<number> {
  let project: Awaited<ReturnType<typeof loadProject>>
  try {
    project = await loadProject({ file: globalOptions.file })
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    println(JSON.stringify({ ok: false, file: e.file, problems: e.problems.map((p) => _problem(e.file, p)) }, null, 2))
    return 1
  }
  const { loaded, config } = project
  const masked = <T extends { env: Record<string, string>; secretKeys: string[] }>(m: Record<string, T>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { ...v, env: maskEnv(v.env, v.secretKeys, show) }]))
  const resolved = { ...config, env: maskEnv(config.env, config.secretKeys ?? [], show), services: masked(config.services), docker: masked(config.docker) }
  println(JSON.stringify({ ok: true, file: loaded.path, ...resolved }, null, 2))
  return 0
}

const SUGGESTION = / \((did you mean `[^`]+`\?)\)/

function _problem(file: string, p: LocatedProblem) {
  return { file, line: p.line, col: p.column, key: p.key ?? null, message: p.message, hint: SUGGESTION.exec(p.message)?.[1] ?? null }
}
