/**
 * The control endpoint of a running supervisor: HTTP over a unix socket at
 * `.devrig/control.sock` (mode 0600, owner only). `stop`, `restart`, `ps`, `env`, `logs` and
 * `query` in any terminal reach the supervisor of *this* project through it.
 */
import { chmodSync, existsSync, unlinkSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { InputError } from "../errors.ts"
import { statePaths } from "../project/identity.ts"

export type Phase = "starting" | "up" | "failed" | "stopping"

export interface ControlHandlers {
  status(): unknown
  /** resolves once the start has settled (up or failed) */
  settled(): Promise<void>
  stop(services: string[]): Promise<void>
  start(services: string[]): Promise<void>
  restart(services: string[]): Promise<void>
  env(service: string | undefined, showSecrets: boolean): unknown
}

export function serveControl(root: string, h: ControlHandlers) {
  const path = statePaths(root).socket
  if (existsSync(path)) unlinkSync(path)
  const server = Bun.serve({
    unix: path,
    async fetch(req) {
      const url = new URL(req.url)
      try {
        if (req.method === "GET" && url.pathname === "/status") {
          if (url.searchParams.get("settled") === "1") await Promise.race([h.settled(), Bun.sleep(5000)])
          return Response.json(h.status())
        }
        if (req.method === "GET" && url.pathname === "/env")
          return Response.json(h.env(url.searchParams.get("service") ?? undefined, url.searchParams.get("secrets") === "1"))
        if (req.method === "POST") {
          const body = (await req.json().catch(() => ({}))) as { services?: string[] }
          const services = body.services ?? []
          if (url.pathname === "/stop") await h.stop(services)
          else if (url.pathname === "/start") await h.start(services)
          else if (url.pathname === "/restart") await h.restart(services)
          else return Response.json({ error: "not found" }, { status: 404 })
          return Response.json({ ok: true })
        }
        return Response.json({ error: "not found" }, { status: 404 })
      } catch (e) {
        const status = e instanceof InputError ? 400 : 500
        return Response.json({ error: (e as Error).message }, { status })
      }
    },
  })
  chmodSync(path, 0o600)
  const pointer = statePaths(root).socketPointer
  if (dirname(path) !== statePaths(root).dir) writeFileSync(pointer, `${path}\n`, { mode: 0o600 })
  return {
    stop() {
      server.stop(true)
      for (const f of [path, pointer])
        try {
          unlinkSync(f)
        } catch {}
    },
  }
}

/** A request to the running supervisor; undefined when none answers. */
export async function controlRequest<T>(root: string, path: string, init: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<T | undefined> {
  const socket = statePaths(root).socket
  if (!existsSync(socket)) return undefined
  let res: Response
  try {
    res = await fetch(`http://devrig${path}`, {
      unix: socket,
      method: init.method ?? "GET",
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      headers: init.body === undefined ? undefined : { "content-type": "application/json" },
      signal: AbortSignal.timeout(init.timeoutMs ?? 5000),
    })
  } catch {
    return undefined
  }
  const data = (await res.json().catch(() => ({}))) as T & { error?: string }
  if (res.status === 400) throw new InputError(data.error ?? "bad request")
  if (!res.ok) throw new Error(data.error ?? `supervisor answered ${res.status}`)
  return data
}
