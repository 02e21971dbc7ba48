import { defineCommand } from "citty"
import { loadProject } from "../config/load.ts"
import { ConfigError } from "../config/problems.ts"
import { maskedConfig, renderPlan, summaryLine } from "./plan.ts"
import { globalOptions } from "./context.ts"
import { c, println } from "./output.ts"

export default defineCommand({
  meta: { name: "validate", description: "Check devrig.toml (every problem at once, with line:column) and show the resolved plan" },
  args: {
    quiet: { type: "boolean", alias: "q", description: "Only the one-line summary" },
    json: { type: "boolean", description: "Print the resolved configuration as JSON (when invalid: {valid: false, problems: [{line, column, message}]}, exit 1)" },
    "show-secrets": { type: "boolean", description: "Do not mask values that came from env files" },
  },
  async run({ args }) {
    const { loaded, config } = await loadProject({ file: globalOptions.file }).catch((e) => {
      // scripts and agents get the problems as data too (the MCP tool validate_config's shape)
      if (args.json && e instanceof ConfigError) println(JSON.stringify({ file: e.file, valid: false, problems: e.problems }))
      throw e
    })
    if (args.json) {
      println(JSON.stringify(maskedConfig(config, !!args["show-secrets"]), null, 2))
      return 0
    }
    println(`${c.green("✓")} ${summaryLine(loaded.path, config)}`)
    if (!args.quiet) println(renderPlan(config, { showSecrets: !!args["show-secrets"] }))
    return 0
  },
})
