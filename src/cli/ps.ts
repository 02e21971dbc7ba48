import { defineCommand } from "citty"
import { existsSync } from "node:fs"
import { homedir } from "node:os"
import { formatDuration } from "../duration.ts"
import { listInstances, pruneInstances, type ListedInstance } from "../project/registry.ts"
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
    all: { type: "boolean", alias: "a", description: "Every devrig project on this machine (missing and stale ones marked)" },
    prune: { type: "boolean", description: "With --all, remove the list entries of projects whose folder is gone or that stopped over 30 days ago" },
    json: { type: "boolean", description: "JSON output" },
    watch: { type: "boolean", alias: "w", description: "Keep the table on screen, updated every second (a terminal only)" },
  },
  async run({ args }) {
    if (args.prune && !args.all) throw new InputError("`--prune` goes with `--all`", { hint: "devrig ps --all --prune" })
    if (args.all) return await psAll(!!args.json, !!args.prune)
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

type Listed = ListedInstance & { source?: "docker" }

/**
 * Every devrig instance: the per-user registry, plus projects that only Docker still knows about
 * (found by their devrig.project label — a registry entry lost with a wiped HOME, or resources
 * created by another user account). Entries whose folder is gone, or stopped long ago, are
 * marked; `--prune` removes those registry entries (never Docker resources: only `delete` does).
 */
async function psAll(json: boolean, prune: boolean): Promise<number> {
  const pruned = prune ? pruneInstances() : []
  const instances: Listed[] = listInstances()
  const known = new Set([...instances, ...pruned].map((i) => i.slug))
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
        missing: p.configPath !== undefined && !existsSync(p.configPath),
        stale: false,
        source: "docker",
      })
    }
  } catch {
    // Docker unreachable: the registry alone.
  }
  if (json) {
    println(JSON.stringify(prune ? { pruned, projects: instances } : instances, null, 2))
    return 0
  }
  const home = homedir()
  const short = (path: string) => (path.startsWith(home + "/") ? "~" + path.slice(home.length) : path)
  for (const i of pruned) println(`  ${c.dim("−")} removed ${i.name} ${c.dim(`(${short(i.configPath)})`)} from the list: ${i.missing ? "its folder is gone" : `stopped ${_ago(i.lastSeen)}`}`)
  if (pruned.length) println()
  if (!instances.length) {
    println(prune ? "  No other devrig projects known on this machine" : "  No devrig projects known on this machine")
    return 0
  }
  const rows = [["Project", "Config", "Services", "Docker", "Cluster", "Status"].map((h) => c.dim(h))]
  for (const i of instances) rows.push([i.name, short(i.configPath), String(i.services), String(i.docker), i.cluster ? "yes" : "no", _status(i)])
  println(table(rows))
  const prunable = instances.filter((i) => !i.running && !i.source && (i.missing || i.stale)).length
  if (prunable) println(`\n  ${c.dim("→")} ${prunable} missing or stale ${prunable === 1 ? "entry" : "entries"}: \`devrig ps --all --prune\` removes ${prunable === 1 ? "it" : "them"} from this list (nothing else is deleted)`)
  const orphans = instances.filter((i) => i.source && i.missing)
  for (const i of orphans) println(`  ${c.dim("→")} ${i.name}: its folder is gone but Docker still has its containers (label devrig.project=${i.slug})`)
  return 0
}

function _status(i: Listed): string {
  if (i.running) return `${c.green("●")} running${i.missing ? c.yellow(" (folder missing)") : ""}`
  if (i.missing) return `${c.red("✗")} missing ${c.dim("(folder gone)")}`
  if (i.stale) return `${c.gray("●")} stale ${c.dim(`(stopped ${_ago(i.lastSeen)})`)}`
  return `${c.gray("●")} stopped`
}

function _ago(iso: string | undefined): string {
  if (!iso) return "long ago"
  const days = Math.floor((Date.now() - Date.parse(iso)) / 86_400_000)
  return days >= 1 ? `${days} day${days === 1 ? "" : "s"} ago` : "today"
}
