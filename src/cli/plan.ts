/** The resolved plan as `devrig validate` prints it: start order, ports, commands, env. */
import { basename } from "node:path"
import type { ResolvedConfig } from "../config/resolved.ts"
import { resolvedGraph } from "../config/graph.ts"
import { layers } from "../graph/dag.ts"
import { c, table } from "./output.ts"

export function summaryLine(path: string, cfg: ResolvedConfig): string {
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`
  const parts = [n(Object.keys(cfg.services).length, "service"), n(Object.keys(cfg.docker).length, "container")]
  if (cfg.compose) parts.push(n(cfg.compose.services.length, "compose service"))
  if (cfg.cluster) parts.push(`cluster ${cfg.cluster.name}`)
  if (cfg.dashboard?.enabled) parts.push(`dashboard :${cfg.dashboard.port}`)
  return `${basename(path)} is valid: ${parts.join(", ")} (project ${cfg.identity.slug})`
}

export function maskEnv(env: Record<string, string>, secretKeys: string[], show: boolean): Record<string, string> {
  if (show) return env
  const secret = new Set(secretKeys)
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, secret.has(k) ? "****" : v]))
}

/** The resolved config as `validate --json` prints it: values from env files masked unless `show`. */
export function maskedConfig(config: ResolvedConfig, show: boolean): unknown {
  const masked = <T extends { env: Record<string, string>; secretKeys: string[] }>(m: Record<string, T>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { ...v, env: maskEnv(v.env, v.secretKeys, show) }]))
  const dashboard = config.dashboard && {
    ...config.dashboard,
    ...(config.dashboard.forward ? { forward: config.dashboard.forward.map((f) => ({ ...f, headers: show ? f.headers : Object.fromEntries(Object.keys(f.headers).map((k) => [k, "****"])) })) } : {}),
  }
  return { ...config, env: maskEnv(config.env, config.secretKeys ?? [], show), services: masked(config.services), docker: masked(config.docker), ...(dashboard ? { dashboard } : {}) }
}

export function renderPlan(cfg: ResolvedConfig, opts: { showSecrets: boolean }): string {
  const out: string[] = [""]
  const order = layers(resolvedGraph(cfg))
  out.push(c.bold("  Start order"))
  order.forEach((layer, i) => out.push(`    ${i + 1}. ${layer.join(", ")}`))
  const rows: string[][] = []
  for (const s of Object.values(cfg.services)) {
    const port = s.port ? `:${s.port}${s.autoPort ? c.dim(" (auto)") : ""}` : ""
    rows.push([c.bold(s.name), "service", port, s.command + (s.detected ? c.dim(" (detected)") : "")])
  }
  for (const d of Object.values(cfg.docker)) {
    const ports = [d.port ? `:${d.port.host}${d.port.auto ? c.dim(" (auto)") : ""}` : "", ...Object.entries(d.ports).map(([n, p]) => `${n}:${p.host}`)].filter(Boolean)
    rows.push([c.bold(d.name), "docker", ports.join(" "), d.image])
  }
  for (const s of cfg.compose?.services ?? []) rows.push([c.bold(s), "compose", "", basename(cfg.compose!.file)])
  for (const d of Object.values(cfg.cluster?.deploy ?? {})) rows.push([c.bold(d.name), "deploy", "", `${cfg.cluster!.k3dName} ← ${d.context}`])
  for (const a of Object.values(cfg.cluster?.addons ?? {})) rows.push([c.bold(a.name), `addon (${a.type})`, "", a.type === "helm" ? a.chart : a.type === "manifest" ? (a.path ?? a.url ?? "") : a.path])
  if (rows.length) out.push("", c.bold("  Components"), table(rows, "    "))
  const envRows: string[] = []
  for (const s of Object.values(cfg.services)) {
    const env = maskEnv(s.env, s.secretKeys, opts.showSecrets)
    for (const [k, v] of Object.entries(env)) envRows.push(`    ${s.name}: ${k}=${v}`)
  }
  if (envRows.length) out.push("", c.bold("  Service env (from config)"), ...envRows)
  if (cfg.dashboard?.enabled)
    out.push("", `  ${c.bold("Dashboard")}  http://localhost:${cfg.dashboard.port}   OTLP gRPC :${cfg.dashboard.grpcPort}   OTLP HTTP :${cfg.dashboard.httpPort}`)
  for (const f of cfg.dashboard?.enabled ? (cfg.dashboard.forward ?? []) : []) out.push(`  ${c.bold("Forward")}    ${f.endpoint} (${f.protocol}${Object.keys(f.headers).length ? `, headers ${Object.keys(f.headers).join(", ")}` : ""})`)
  return out.join("\n")
}
