/** Global CLI options (parsed once in main.ts, read by every command). */
import type { ArgsDef } from "citty"
import { noColor } from "../env.ts"

export interface GlobalOptions {
  file?: string
  verbose: boolean
  color: boolean
}

export const globalOptions: GlobalOptions = { verbose: false, color: true }

/** Shown in every command's --help; parsed by main.ts before dispatch. */
export const globalArgs = {
  file: { type: "string", alias: "f", description: "Use this config file instead of devrig.toml found from the current directory up", valueHint: "file" },
  verbose: { type: "boolean", description: "Print more detail (and stack traces of internal errors)" },
  color: { type: "boolean", default: true, description: "Colored output (--no-color or NO_COLOR=1 to disable)", negativeDescription: "Disable colored output" },
} as const satisfies ArgsDef

/** Removes the global flags from argv and records them. */
export function extractGlobals(argv: string[]): string[] {
  const rest: string[] = []
  globalOptions.color = !noColor() && process.stdout.isTTY === true
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === "--") {
      rest.push(...argv.slice(i))
      break
    }
    if (a === "-f" || a === "--file") {
      globalOptions.file = argv[++i]
      if (globalOptions.file === undefined) rest.push(a)
    } else if (a.startsWith("--file=")) globalOptions.file = a.slice(7)
    else if (a === "--verbose") globalOptions.verbose = true
    else if (a === "--no-color") globalOptions.color = false
    else if (a === "--color") globalOptions.color = true
    else rest.push(a)
  }
  return rest
}
