/** What `devrig init` writes: services proposed from the subfolders, as a commented starter. */
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { proposeCommand } from "../config/detect.ts"

export interface Proposal {
  name: string
  path: string
  command: string
}

const SKIP = new Set(["node_modules", "target", "dist", "build", "vendor", ".git", ".devrig"])

/** Folders (one and two levels down) with package.json, Cargo.toml, go.mod or pyproject.toml. */
export function discoverServices(root: string): Proposal[] {
  const out: Proposal[] = []
  const visit = (rel: string, depth: number) => {
    let entries: string[] = []
    try {
      entries = readdirSync(join(root, rel)).sort()
    } catch {
      return
    }
    for (const e of entries) {
      if (e.startsWith(".") || SKIP.has(e)) continue
      const relPath = rel ? `${rel}/${e}` : e
      const abs = join(root, relPath)
      try {
        if (!statSync(abs).isDirectory()) continue
      } catch {
        continue
      }
      const p = proposeCommand(abs)
      if (p) out.push({ name: uniqueName(e, out), path: `./${relPath}`, command: p.command })
      else if (depth < 2) visit(relPath, depth + 1)
    }
  }
  visit("", 1)
  return out
}

function uniqueName(base: string, taken: Proposal[]): string {
  const clean = base.toLowerCase().replace(/[^a-z0-9_-]+/g, "-")
  let name = clean
  for (let i = 2; taken.some((t) => t.name === name); i++) name = `${clean}-${i}`
  return name
}

export function starterConfig(name: string, services: Proposal[]): string {
  const blocks = services.map(
    (s) => `[services.${s.name}]
path = "${s.path}"
command = "${s.command}"
port = "auto"                     # or a fixed port; the service gets it as $PORT
`,
  )
  const example = `# [services.api]
# path = "./api"                  # working directory, relative to this file
# command = "npm run dev"         # run through sh -c; $PORT is injected
# port = 3000                     # or "auto"
# depends_on = ["postgres"]       # start after these are ready
`
  return `# devrig.toml — your local dev environment. Docs: docs/guides/configuration.md
# devrig start | devrig ps | devrig logs | devrig stop | devrig delete

[project]
name = "${name}"                  # prefixes every container, network and volume devrig creates

${blocks.length ? blocks.join("\n") : example}
# Infrastructure containers:
# [docker.postgres]
# image = "postgres:16"
# port = 5432
# env = { POSTGRES_USER = "devrig", POSTGRES_PASSWORD = "devrig" }
# volumes = ["pgdata:/var/lib/postgresql/data"]
# ready_check = { type = "pg_isready" }

# The dashboard and OpenTelemetry collector (http://localhost:4000):
# [dashboard]
# port = 4000

# Shared environment for every service:
[env]
ENVIRONMENT = "development"
`
}
