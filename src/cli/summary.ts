/** The startup summary and the unified log line format. */
import { dirname } from "node:path"
import { readToken } from "../project/token.ts"
import type { DashboardInfo, StatusSnapshot } from "../status.ts"
import { c, nameColor, stateDot, table } from "./output.ts"
import type { Stream } from "../services/logs.ts"

export function header(name: string, id: string): string {
  return `\n  ${c.bold("devrig")} ${c.yellow("⚡")} ${c.bold(name)} ${c.dim(`(${id})`)}\n`
}

const GROUPS: [string, string[]][] = [
  ["Services", ["service"]],
  ["Docker", ["docker"]],
  ["Compose", ["compose"]],
  ["Cluster", ["cluster", "deploy", "addon"]],
]

export function summary(s: StatusSnapshot, footer: string): string {
  const out: string[] = [header(s.project.name, s.project.id)]
  for (const [title, kinds] of GROUPS) {
    const items = s.components.filter((x) => kinds.includes(x.kind))
    if (!items.length) continue
    out.push(`  ${c.bold(title)}`)
    const rows = items.map((x) => {
      const named = x.ports ? Object.entries(x.ports).map(([n, p]) => `${n} localhost:${p}`) : []
      const where = x.url ?? [x.port ? `localhost:${x.port}` : "", ...named].filter(Boolean).join(" / ")
      const loc = where + (x.autoPort ? c.dim(" (auto)") : "")
      const state = `${stateDot(x.state)} ${x.state}${x.error && x.state === "failed" ? c.red(` — ${x.error}`) : ""}`
      return [x.name, loc, state]
    })
    out.push(table(rows, "    "), "")
  }
  if (s.dashboard) {
    out.push(`  ${c.bold("Dashboard".padEnd(10))}  ${dashboardLink(s.dashboard, dirname(s.project.configPath))}`)
    if (s.dashboard.auth === false) out.push(`  ${c.yellow("!")} ${authOffWarning}`)
    out.push(`  ${c.bold("OTel gRPC".padEnd(10))}  localhost:${s.dashboard.grpcPort}`)
    out.push(`  ${c.bold("OTel HTTP".padEnd(10))}  localhost:${s.dashboard.httpPort}`, "")
  }
  out.push(`  ${footer}`, "")
  return out.join("\n")
}

export const authOffWarning = "dashboard auth is off ([dashboard] auth = false): every local process can use the API and the dashboard"

/** The dashboard URL to open: with the per-run token (`/?t=…`) when the API requires it. */
export function dashboardLink(d: DashboardInfo, root: string): string {
  const token = d.auth === false ? undefined : readToken(root)
  return token ? `${d.url}/?t=${token}` : d.url
}

export function logPrefix(name: string, width: number, stream: Stream): string {
  const color = nameColor(name)
  const mark = stream === "err" ? c.red("!") : stream === "sys" ? c.dim("»") : c.dim("|")
  return `${color(name.padEnd(width))} ${mark} `
}
