// Shared by the fault tests: finding the watchdog of a project, the containers that carry its
// label, the CPU time of a process, and a cleanup net that removes a failed test's containers.
import { readdirSync, readFileSync } from "node:fs"
import { request } from "../../../src/docker/client.ts"
import { listContainers, removeContainer } from "../../../src/docker/containers.ts"
import { LABEL_PROJECT } from "../../../src/project/identity.ts"
import { cmdline, isAlive, type Project } from "../../helpers/proc-fixtures.ts"

/** PIDs of `devrig __watchdog <configPath> …` processes watching a config under `dir`. */
export function watchdogPids(dir: string): number[] {
  const out: number[] = []
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue
    const c = cmdline(Number(e))
    if (c.includes("__watchdog") && c.includes(dir)) out.push(Number(e))
  }
  return out
}

/** Names of the containers labelled devrig.project=<slug> (running only unless `all`). */
export async function labelled(slug: string, all = true): Promise<string[]> {
  return (await listContainers({ label: [`${LABEL_PROJECT}=${slug}`] }, all)).map((c) => c.name)
}

/** Removes every container and network of `slug` (the safety net of a failed test). */
export async function removeLabelled(slug: string): Promise<void> {
  const label = [`${LABEL_PROJECT}=${slug}`]
  const left = await listContainers({ label }).catch(() => [])
  await Promise.all(left.map((c) => removeContainer(c.id).catch(() => {})))
  const nets = await request<{ Id: string }[]>({ method: "GET", path: "/networks", query: { filters: { label } }, doing: "listing networks" }).catch(() => [])
  for (const n of nets) await request({ method: "DELETE", path: `/networks/${n.Id}`, doing: "removing a network" }).catch(() => {})
}

/**
 * afterAll of every file that starts projects: a supervisor a failed test left is stopped, then
 * `devrig delete` removes containers, volumes and the network (a crashed run's network stays
 * behind otherwise, and the engine runs out of address pools after ~30). Not the process exit
 * hook of proc-fixtures: under --parallel a worker may never run it.
 */
export async function cleanupProjects(made: Project[]): Promise<void> {
  for (const p of made) {
    const sup = p.supervisorPid()
    if (sup && isAlive(sup)) await p.run(["stop"])
    await p.run(["delete"])
    await removeLabelled(p.slug)
  }
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return Number(f[11]) + Number(f[12])
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  return m ? Number(m[1]) * 1024 : 0
}

export const CLK_TCK = 100
