/**
 * Addon port_forward as supervised `kubectl port-forward` children. kubectl exits whenever the
 * pod behind a service restarts or the connection drops, so each one is restarted with backoff
 * until `stop()`.
 */
import type { Subprocess } from "bun"
import { InputError } from "../errors.ts"
import type { ResolvedConfig } from "../config/resolved.ts"
import { kubectl, type Argv } from "./argv.ts"
import { kubeEnv } from "./kubeconfig.ts"
import type { Log } from "./lifecycle.ts"
import { addonNamespace } from "./addons.ts"
import { requireTool } from "./tools.ts"

export interface PortForwardSpec {
  addon: string
  localPort: number
  /** "svc/traefik" */
  target: string
  remotePort: string
  namespace: string
  /** shown in the startup summary */
  url: string
}

/** `{ 9000 = "svc/traefik:9000" }` → one spec per entry. */
export function portForwardSpecs(cfg: ResolvedConfig): PortForwardSpec[] {
  const out: PortForwardSpec[] = []
  for (const [addon, a] of Object.entries(cfg.cluster?.addons ?? {}).sort(([x], [y]) => x.localeCompare(y))) {
    for (const [local, dest] of Object.entries(a.port_forward ?? {})) {
      const colon = dest.lastIndexOf(":")
      if (colon <= 0 || colon === dest.length - 1) {
        throw new InputError(`addon "${addon}": port_forward "${dest}" must look like "svc/name:port"`)
      }
      const localPort = Number(local)
      out.push({
        addon,
        localPort,
        target: dest.slice(0, colon),
        remotePort: dest.slice(colon + 1),
        namespace: addonNamespace(a),
        url: `http://localhost:${localPort}`,
      })
    }
  }
  return out
}

export function portForwardArgv(s: PortForwardSpec): Argv {
  return kubectl.portForward({ target: s.target, localPort: s.localPort, remotePort: s.remotePort, namespace: s.namespace })
}

/** 1 s, 2 s, 4 s … capped at 30 s. */
export function backoffMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt))
}

/** A forward that stayed up this long counts as healthy: the next drop starts the backoff over. */
const HEALTHY_AFTER_MS = 10_000

export interface PortForwards {
  specs: PortForwardSpec[]
  stop(): Promise<void>
}

export function startPortForwards(cfg: ResolvedConfig, log: Log = () => {}, specs = portForwardSpecs(cfg)): PortForwards {
  if (specs.length === 0) return { specs, stop: async () => {} }
  const path = requireTool("kubectl", "for addon port_forward")
  const env = kubeEnv(cfg.identity.root)
  let stopped = false
  const procs = new Set<Subprocess>()
  const timers = new Set<ReturnType<typeof setTimeout>>()

  const supervise = (s: PortForwardSpec, attempt: number) => {
    if (stopped) return
    const [, ...args] = portForwardArgv(s)
    const started = Date.now()
    const proc = Bun.spawn([path, ...args], { env, stdin: "ignore", stdout: "ignore", stderr: "pipe" })
    procs.add(proc)
    let lastErr = ""
    void new Response(proc.stderr).text().then((t) => (lastErr = t.trim().split("\n").at(-1) ?? ""))
    void proc.exited.then(async (code) => {
      procs.delete(proc)
      if (stopped) return
      const next = Date.now() - started > HEALTHY_AFTER_MS ? 0 : attempt + 1
      const wait = backoffMs(next)
      await Bun.sleep(0) // let the stderr reader finish so the log says why
      log(`port-forward ${s.url} → ${s.target}:${s.remotePort} exited (${code})${lastErr ? `: ${lastErr}` : ""}; retrying in ${wait / 1000}s`)
      const t = setTimeout(() => {
        timers.delete(t)
        supervise(s, next)
      }, wait)
      timers.add(t)
    })
  }

  for (const s of specs) supervise(s, -1)
  return {
    specs,
    async stop() {
      stopped = true
      for (const t of timers) clearTimeout(t)
      const waiting = [...procs].map((p) => {
        p.kill("SIGTERM")
        return p.exited
      })
      await Promise.all(waiting)
    },
  }
}
