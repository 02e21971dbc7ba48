/**
 * Before anything starts: assign auto ports and prove every fixed port is free. A taken port
 * fails the start at once, naming who holds it: another devrig project (instance registry or
 * Docker labels), or the process the OS names (src/platform).
 */
import { assignPortsProbing, portRequests, type PortAssignment } from "../config/ports.ts"
import type { LoadedConfig } from "../config/load.ts"
import { InputError } from "../errors.ts"
import { isPortFree, portHolder } from "../project/ports.ts"
import { instanceHoldingPort } from "../project/registry.ts"
import { readState } from "../project/state.ts"

export class PortConflictError extends InputError {}

export async function preflightPorts(loaded: LoadedConfig, dockerOwner?: (port: number) => Promise<string | undefined>): Promise<PortAssignment> {
  const ident = loaded.identity
  const requests = portRequests(loaded).filter((r) => r.port !== "auto")
  const conflicts: { key: string; port: number }[] = []
  await Promise.all(
    requests.map(async (r) => {
      if (!(await isPortFree(r.port as number))) conflicts.push({ key: r.key, port: r.port as number })
    }),
  )
  if (conflicts.length) {
    conflicts.sort((a, b) => a.port - b.port)
    const lines: string[] = []
    for (const c of conflicts) lines.push(`  ✗ Port ${c.port} is already in use (by ${await owner(c.port, ident.slug, dockerOwner)})`, `    → Change ${where(c.key)} in devrig.toml, or stop the other project first`)
    lines.push("", "  Startup failed: port conflict")
    const first = conflicts[0]!
    // The first conflict is the message; its "→ Change …" hint and any further conflicts follow.
    throw new PortConflictError(`Port ${first.port} is already in use (by ${await owner(first.port, ident.slug, dockerOwner)})`, { details: lines.slice(1) })
  }
  return assignPortsProbing(loaded, readState(ident.root))
}

async function owner(port: number, slug: string, dockerOwner?: (port: number) => Promise<string | undefined>): Promise<string> {
  const inst = instanceHoldingPort(port, slug)
  if (inst) return `devrig project ${inst.name} (${inst.configPath})`
  const container = await dockerOwner?.(port).catch(() => undefined)
  if (container) return container
  const holder = portHolder(port)
  return holder ? `pid ${holder.pid}: ${holder.command}` : "another process"
}

/** "services.api" → "[services.api] port"; "docker.mailpit.ports.smtp" → "[docker.mailpit] ports.smtp". */
function where(key: string): string {
  const m = /^(services|docker)\.([^.]+)(?:\.ports\.(.+))?$/.exec(key)
  if (!m) return key
  return `[${m[1]}.${m[2]}] ${m[3] ? `ports.${m[3]}` : "port"}`
}
