/**
 * Readiness of local services: `http`, `tcp`, `log` and `cmd` checks, polled with exponential
 * backoff until they pass or their timeout (default 30 s) runs out.
 */
import type { ReadyCheck } from "../config/schema.ts"
import { DEFAULTS } from "../config/schema.ts"
import { parseDuration } from "../duration.ts"
import { isPortOpen } from "../project/ports.ts"

export interface CheckResult {
  ok: boolean
  /** what the last attempt saw, for error messages */
  detail: string
}

/**
 * Polls `attempt` with exponential backoff (50 ms doubling, capped at 1 s) until it passes,
 * the timeout expires, or `signal` aborts.
 */
export async function pollUntil(attempt: () => Promise<CheckResult>, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult> {
  const deadline = Date.now() + timeoutMs
  let delay = 50
  let last: CheckResult = { ok: false, detail: "not checked yet" }
  for (;;) {
    if (signal?.aborted) return { ok: false, detail: "cancelled" }
    try {
      last = await attempt()
    } catch (e) {
      last = { ok: false, detail: (e as Error).message }
    }
    if (last.ok) return last
    const left = deadline - Date.now()
    if (left <= 0) return last
    await Bun.sleep(Math.min(delay, left))
    delay = Math.min(delay * 2, 1000)
  }
}

export function checkTimeout(check: ReadyCheck): number {
  return check.timeout !== undefined ? parseDuration(check.timeout) : DEFAULTS.readyTimeoutMs
}

export interface ServiceCheckContext {
  port?: number
  cwd: string
  env: Record<string, string>
  /** output lines of this run so far (for `log` checks) */
  output: () => string[]
}

/** One attempt of a service's ready check. */
export async function attemptServiceCheck(check: ReadyCheck, ctx: ServiceCheckContext): Promise<CheckResult> {
  switch (check.type) {
    case "http": {
      const url = check.url ?? (ctx.port ? `http://localhost:${ctx.port}/` : undefined)
      if (!url) return { ok: false, detail: "http check needs `url` or a port" }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: "manual" })
        await res.body?.cancel()
        return { ok: res.status >= 200 && res.status < 300, detail: `GET ${url} → ${res.status}` }
      } catch (e) {
        return { ok: false, detail: `GET ${url}: ${(e as Error).message}` }
      }
    }
    case "tcp": {
      const port = check.port ?? ctx.port
      if (!port) return { ok: false, detail: "tcp check needs `port` or a service port" }
      const ok = await isPortOpen(port)
      return { ok, detail: `tcp localhost:${port} ${ok ? "open" : "refused"}` }
    }
    case "log": {
      const ok = ctx.output().some((l) => l.includes(check.match))
      return { ok, detail: ok ? `saw "${check.match}"` : `"${check.match}" not seen in the output yet` }
    }
    case "cmd": {
      const argv = typeof check.command === "string" ? ["sh", "-c", check.command] : check.command
      const proc = Bun.spawn(argv, { cwd: ctx.cwd, env: ctx.env, stdout: "pipe", stderr: "pipe" })
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000)
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
      clearTimeout(timer)
      const text = (out + err).trim()
      const ok = code === 0 && (check.expect === undefined || text.includes(check.expect))
      return { ok, detail: `\`${argv.join(" ")}\` exited ${code}${text ? `: ${text.slice(-200)}` : ""}` }
    }
    case "pg_isready":
      return { ok: false, detail: "pg_isready only works for containers" }
  }
}
