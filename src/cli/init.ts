import { defineCommand } from "citty"
import { existsSync, writeFileSync } from "node:fs"
import { basename, join, resolve } from "node:path"
import { InputError } from "../errors.ts"
import { globalOptions } from "./context.ts"
import { c, println } from "./output.ts"
import { discoverServices, starterConfig, type Proposal } from "../project/scaffold.ts"

export default defineCommand({
  meta: { name: "init", description: "Write a commented starter devrig.toml (looks at subfolders for services)" },
  args: {
    yes: { type: "boolean", alias: "y", description: "Accept the defaults without asking" },
    force: { type: "boolean", description: "Overwrite an existing devrig.toml" },
    name: { type: "string", description: "Project name (default: the folder name)" },
  },
  async run({ args }) {
    const dir = process.cwd()
    const file = globalOptions.file ? resolve(dir, globalOptions.file) : join(dir, "devrig.toml")
    if (existsSync(file) && !args.force) throw new InputError(`${basename(file)} already exists`, { hint: "Use --force to overwrite it" })
    let name = args.name ?? sanitize(basename(dir))
    let services: Proposal[] = discoverServices(dir)
    const interactive = !args.yes && process.stdin.isTTY
    if (interactive) {
      const { consola } = await import("consola")
      name = sanitize(String(await consola.prompt("Project name", { type: "text", default: name, placeholder: name })) || name)
      if (services.length) {
        const picked = (await consola.prompt("Services to run", {
          type: "multiselect",
          required: false,
          options: services.map((s) => ({ value: s.name, label: `${s.name}  ${c.dim(`${s.path} — ${s.command}`)}` })),
          initial: services.map((s) => s.name),
        })) as unknown as (string | { value: string })[]
        const keep = new Set(picked.map((p) => (typeof p === "string" ? p : p.value)))
        services = services.filter((s) => keep.has(s.name))
      }
    }
    writeFileSync(file, starterConfig(name, services))
    println(`${c.green("✓")} wrote ${file}${services.length ? ` with ${services.length} service${services.length === 1 ? "" : "s"}` : ""}`)
    println(`  Next: ${c.bold("devrig validate")} then ${c.bold("devrig start")}`)
    return 0
  },
})

function sanitize(s: string): string {
  const out = s.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[^a-z0-9]+/, "").slice(0, 40)
  return out || "myapp"
}
