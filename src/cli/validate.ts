import { defineCommand } from "citty"
import { loadProject } from "../config/load.ts"
import { ConfigError, problemJson } from "../config/problems.ts"
import { maskedConfig, renderPlan, summaryLine } from "./plan.ts"
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
    println(JSON.stringify({ ok: false, file: e.file, problems: e.problems.map((p) => problemJson(e.file, p)) }, null, 2))
    return 1
  }
  const { loaded, config } = project
  println(JSON.stringify({ ok: true, file: loaded.path, ...(maskedConfig(config, show) as object) }, null, 2))
  return 0
}
