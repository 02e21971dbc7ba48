import { defineCommand } from "citty"
import { loadConfig } from "../config/load.ts"
import { InputError } from "../errors.ts"
import { archName, osName } from "../platform/info.ts"
import { backend, userShell } from "../platform/process.ts"
import { globalOptions } from "./context.ts"
import { c, println, table } from "./output.ts"

interface Check {
  name: string
  needed: boolean
  found: boolean
  detail: string
  fix?: string
  /** docker engine only: the endpoint devrig uses and why (DOCKER_HOST, a context, a well-known socket) */
  endpoint?: string
  source?: string
}

export default defineCommand({
  meta: { name: "doctor", description: "Check the tools this config needs (Docker engine, Compose, k3d, kubectl, helm)" },
  args: { json: { type: "boolean", description: "JSON output" } },
  async run({ args }) {
    // Without a config, check everything and need nothing: doctor still helps before `init`.
    let cfg: ReturnType<typeof loadConfig>["config"] | undefined
    try {
      cfg = loadConfig({ file: globalOptions.file }).config
    } catch (e) {
      if (!(e instanceof InputError) || !/No devrig.toml found/.test(e.message)) throw e
    }
    const needDocker = !!cfg && (!!Object.keys(cfg.docker ?? {}).length || !!cfg.compose || !!cfg.cluster)
    const needCompose = !!cfg?.compose
    const needCluster = !!cfg?.cluster
    const needHelm = Object.values(cfg?.cluster?.addons ?? {}).some((a) => a.type === "helm")
    const checks: Check[] = [
      { name: "sh", needed: !!Object.keys(cfg?.services ?? {}).length, found: !!Bun.which("sh"), detail: `${Bun.which("sh") ?? "not found"} ${c.dim(`(services run with sh -c; your shell: ${userShell()}; processes tracked via ${backend().name === "linux" ? "/proc" : "ps and lsof"})`)}`, fix: "install a POSIX shell" },
      await dockerCheck(needDocker),
      await composeCheck(needCompose),
    ]
    const { doctorChecks } = await import("../cluster/tools.ts")
    for (const t of await doctorChecks())
      checks.push({
        name: t.tool,
        needed: t.tool === "helm" ? needHelm : needCluster,
        found: t.found,
        detail: t.found ? `${t.version ?? "found"}${t.path ? c.dim(` (${t.path})`) : ""}` : `not found — needed for ${t.neededFor}`,
        fix: t.hint,
      })
    const missing = checks.filter((x) => x.needed && !x.found)
    if (args.json) {
      const platform = { os: osName(), arch: archName(), processBackend: backend().name }
      println(JSON.stringify({ ok: missing.length === 0, platform, checks }, null, 2))
      return missing.length ? 2 : 0
    }
    const rows = checks.map((x) => [x.found ? c.green("✓") : x.needed ? c.red("✗") : c.dim("–"), x.name, x.detail + (x.needed ? "" : c.dim(" (not needed by this config)"))])
    println(table(rows))
    for (const m of missing) if (m.fix) println(`  ${c.dim("→")} ${m.name}: ${m.fix}`)
    println(missing.length ? `\n${c.red("✗")} ${missing.length} missing: ${missing.map((m) => m.name).join(", ")}` : `\n${c.green("✓")} everything this config needs is installed`)
    return missing.length ? 2 : 0
  },
})

async function dockerCheck(needed: boolean): Promise<Check> {
  const { endpoint, request } = await import("../docker/client.ts")
  const name = "docker engine"
  let ep: { address: string; source: string } | undefined
  try {
    ep = endpoint()
    const v = await request<{ Version: string; ApiVersion: string }>({ method: "GET", path: "/version", doing: "asking Docker for its version" })
    return { name, needed, found: true, detail: `${v.Version} (API ${v.ApiVersion}) at ${ep.address} ${c.dim(`(${ep.source})`)}`, endpoint: ep.address, source: ep.source }
  } catch (e) {
    const err = e as Error & { hint?: string }
    const detail = ep ? `${err.message} ${c.dim(`[${ep.source}]`)}` : err.message
    return { name, needed, found: false, detail, fix: err.hint ?? "Start Docker Desktop or the docker service (sudo systemctl start docker)", endpoint: ep?.address, source: ep?.source }
  }
}

async function composeCheck(needed: boolean): Promise<Check> {
  const { detectFlavor } = await import("../compose/detect.ts")
  try {
    const flavor = await detectFlavor()
    return { name: "compose", needed, found: true, detail: flavor === "v2" ? "docker compose (v2 plugin)" : "docker-compose (v1)" }
  } catch {
    return { name: "compose", needed, found: false, detail: "neither `docker compose` nor `docker-compose` found", fix: "install the Docker Compose plugin (or docker-compose)" }
  }
}
