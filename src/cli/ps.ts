import { defineCommand } from "citty"
import { homedir } from "node:os"
import { formatDuration } from "../duration.ts"
import { listInstances, type ListedInstance } from "../project/registry.ts"
import { controlRequest } from "../services/control.ts"
import type { Supervisor } from "../services/supervisor.ts"
import type { ComponentStatus } from "../status.ts"
import { c, println, stateDot, table } from "./output.ts"
import { dashboardLink } from "./summary.ts"
import { project } from "./project-cmd.ts"
import { InputError } from "../errors.ts"
import { liveSupervisor } from "../services/recover.ts"
import { offlineStatus } from "../services/offline-status.ts"

type Status = ReturnType<Supervisor["status"]>

export default defineCommand({
  meta: { name: "ps", description: "Status of this project's services and containers (--all: every devrig project on this machine)" },
  args: {
    all: { type: "boolean", alias: "a", description: "Every devrig instance on this machine" },
    json: { type: "boolean", description: "JSON output" },
    watch: { type: "boolean", alias: "w", description: "Keep the table on screen, updated every second (a terminal only)" },
  },
  async run({ args }) {
    if (args.all) return await psAll(!!args.json)
    if (args.watch) return watch()
    const { loaded, supervisor } = project()
    const status = supervisor ? await controlRequest<Status>(loaded.identity.root, "/status") : undefined
    const components = status?.components ?? (await offlineStatus(loaded))
    if (args.json) {
      println(JSON.stringify({ project: { name: loaded.identity.name, id: loaded.identity.id, slug: loaded.identity.slug, configPath: loaded.identity.configPath }, running: !!status, supervisorPid: status?.supervisorPid, dashboard: status?.dashboard, components }, null, 2))
      return 0
    }
    println(`\n  ${c.bold(loaded.identity.name)} ${c.dim(`(${loaded.identity.id})`)}  ${status ? c.green("● running") : c.gray("○ not running")}\n`)
    println(renderComponents(components))
    if (status?.dashboard) println(`\n  Dashboard  ${dashboardLink(status.dashboard, loaded.identity.root)}`)
    println()
    return 0
  },
})

/** A live table on a terminal: redrawn in place each second until Ctrl+C. */
async function watch(): Promise<number> {
  if (!process.stdout.isTTY) throw new InputError("--watch needs a terminal; use `devrig ps --json` in scripts")
  const { loaded } = project()
  const root = loaded.identity.root
  process.on("SIGINT", () => {
    process.stdout.write("\x1b[?25h\n")
    process.exit(0)
  })
  process.stdout.write("\x1b[?25l")
  for (;;) {
    const status = liveSupervisor(root) ? await controlRequest<Status>(root, "/status").catch(() => undefined) : undefined
    const components = status?.components ?? (await offlineStatus(loaded))
    const head = `  ${c.bold(loaded.identity.name)} ${c.dim(`(${loaded.identity.id})`)}  ${status ? c.green("● running") : c.gray("○ not running")}  ${c.dim(new Date().toLocaleTimeString())}`
    process.stdout.write(`\x1b[H\x1b[2J\n${head}\n\n${renderComponents(components)}\n\n  ${c.dim("Ctrl+C to quit")}\n`)
    await Bun.sleep(1000)
  }
}

export function renderComponents(components: ComponentStatus[]): string {
  const now = Date.now()
  const rows = [["NAME", "KIND", "STATE", "PID", "PORT", "UPTIME", "RESTARTS"].map((h) => c.dim(h))]
  for (const x of components) {
    const up = x.startedAt && (x.state === "running" || x.state === "ready" || x.state === "starting") ? formatDuration(now - Date.parse(x.startedAt)) : "-"
    const port = x.port ? String(x.port) + (x.autoPort ? "*" : "") : x.ports ? Object.entries(x.ports).map(([k, v]) => `${k}:${v}`).join(",") : "-"
    const state = `${stateDot(x.state)} ${x.state}${x.exitCode != null && x.state !== "running" ? c.dim(` (exit ${x.exitCode})`) : ""}`
    rows.push([x.name, x.kind, state, x.pid ? String(x.pid) : "-", port, up, String(x.restarts)])
  }
  return table(rows)
}

/**
 * Every devrig instance: the per-user registry, plus projects that only Docker still knows about
 * (found by their devrig.project label — a registry entry lost with a wiped HOME, or resources
 * created by another user account).
 */
async function psAll(json: boolean): Promise<number> {
  const instances: (ListedInstance & { source?: "docker" })[] = listInstances()
  const known = new Set(instances.map((i) => i.slug))
  try {
    const { listProjects } = await import("../docker/cleanup.ts")
    for (const p of await listProjects()) {
      if (!p.slug || known.has(p.slug)) continue
      instances.push({
        slug: p.slug,
        name: p.slug.replace(/-[0-9a-f]{8}$/, ""),
        configPath: p.configPath ?? "?",
        services: 0,
        docker: p.containers.length,
        cluster: false,
        ports: [],
        running: p.running > 0,
        source: "docker",
      })
    }
  } catch {
    // Docker unreachable: the registry alone.
  }
  if (json) {
    println(JSON.stringify(instances, null, 2))
    return 0
  }
  if (!instances.length) {
    println("  No devrig projects known on this machine")
    return 0
  }
  const home = homedir()
  const rows = [["Project", "Config", "Services", "Docker", "Cluster", "Status"].map((h) => c.dim(h))]
  for (const i of instances)
    rows.push([i.name, i.configPath.replace(home, "~"), String(i.services), String(i.docker), i.cluster ? "yes" : "no", i.running ? `${c.green("●")} running` : `${c.gray("●")} stopped`])
  println(table(rows))
  return 0
}
