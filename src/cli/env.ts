import { defineCommand } from "citty"
import { InputError } from "../errors.ts"
import { loadProject } from "../config/load.ts"
import { readState } from "../project/state.ts"
import { controlRequest } from "../services/control.ts"
import { shownEnv } from "../services/env.ts"
import { globalOptions } from "./context.ts"
import { println } from "./output.ts"
import { checkNames, project } from "./project-cmd.ts"

export default defineCommand({
  meta: { name: "env", description: "Print the environment devrig gives a service (discovery vars, ports, OTEL_*, config env)" },
  args: {
    service: { type: "positional", required: true, description: "Service name" },
    var: { type: "positional", required: false, description: "Print only this variable's value" },
    export: { type: "boolean", description: "Print `export KEY='value'` lines for eval" },
    "show-secrets": { type: "boolean", description: "Do not mask values that came from env files" },
  },
  async run({ args }) {
    const { loaded, supervisor } = project()
    const [service, name] = args._.map(String) as [string, string | undefined]
    checkNames(loaded, [service], "services")
    // Values for eval must be real; printed-for-reading values are masked unless asked.
    const secrets = !!args["show-secrets"] || !!args.export || !!name
    let env = supervisor
      ? await controlRequest<Record<string, string>>(loaded.identity.root, `/env?service=${encodeURIComponent(service)}&secrets=${secrets ? 1 : 0}`)
      : undefined
    if (!env) {
      const { config } = await loadProject({ file: globalOptions.file })
      const s = config.services[service]
      if (!s) throw new InputError(`\`${service}\` is deployed into the cluster, not run locally`)
      env = shownEnv(config, s, { dashboard: readState(loaded.identity.root).dashboard }, secrets)
    }
    if (name) {
      if (!(name in env)) throw new InputError(`${service} has no variable ${name}`)
      println(env[name])
      return 0
    }
    const keys = Object.keys(env).sort()
    for (const k of keys) println(args.export ? `export ${k}=${shellQuote(env[k]!)}` : `${k}=${env[k]}`)
    return 0
  },
})

function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`
}
