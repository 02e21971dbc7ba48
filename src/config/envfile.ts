/**
 * dotenv files and `$VAR` / `${VAR}` expansion. Credentials can live in an env file outside
 * devrig.toml; values that came from one are tracked so printing can mask them.
 */
export interface EnvFileEntry {
  value: string
  line: number
}

/** Parses dotenv syntax: KEY=value, `export KEY=value`, quotes, `#` comments. */
export function parseEnvFile(text: string): { vars: Record<string, EnvFileEntry>; errors: { line: number; message: string }[] } {
  const vars: Record<string, EnvFileEntry> = {}
  const errors: { line: number; message: string }[] = []
  const lines = text.split(/\r?\n/)
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!.trim()
    if (!raw || raw.startsWith("#")) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(raw)
    if (!m) {
      errors.push({ line: n + 1, message: `expected KEY=value, found ${JSON.stringify(raw.slice(0, 40))}` })
      continue
    }
    let value = m[2]!
    const q = value[0]
    if (q === '"' || q === "'") {
      let end = value.indexOf(q, 1)
      // a double-quoted value may span lines until its closing quote
      while (end < 0 && n + 1 < lines.length) {
        value += "\n" + lines[++n]
        end = value.indexOf(q, 1)
      }
      value = end < 0 ? value.slice(1) : value.slice(1, end)
      if (q === '"') value = value.replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/\\"/g, '"').replace(/\\\\/g, "\\")
    } else {
      value = value.replace(/\s+#.*$/, "").trim()
    }
    vars[m[1]!] = { value, line: n + 1 }
  }
  return { vars, errors }
}

export class UndefinedVariableError extends Error {
  constructor(readonly variable: string) {
    super(`undefined variable $${variable}`)
  }
}

/**
 * Expands `$VAR`, `${VAR}` and `${VAR:-default}` from `lookup`; `$$` is a literal `$`. An undefined variable throws
 * UndefinedVariableError (the caller names the key). Returns the names it used.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): { value: string; used: string[] } {
  const used: string[] = []
  const value = input.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, braced, fallback, bare) => {
    if (all === "$$") return "$"
    const name = (braced ?? bare) as string
    const v = lookup(name)
    // ${VAR:-default}, as in sh and Compose: the default when VAR is unset or empty.
    if ((v === undefined || v === "") && fallback !== undefined) return fallback
    if (v === undefined) throw new UndefinedVariableError(name)
    used.push(name)
    return v
  })
  return { value, used }
}
