/**
 * Raw config + port assignment → ResolvedConfig: defaults applied, paths absolute, env files read,
 * `$VAR`s expanded, templates rendered. Problems are collected, never thrown one by one.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { processEnv } from "../env.ts"
import { names } from "../project/identity.ts"
import { detectCommand } from "./detect.ts"
import { expandVars, parseEnvFile, UndefinedVariableError } from "./envfile.ts"
import type { KeyPath } from "./locate.ts"
import type { LoadedConfig } from "./loaded.ts"
import type { Problem } from "./problems.ts"
import type { ResolvedConfig, ResolvedContainer, ResolvedForward, ResolvedService, PublishedPort } from "./resolved.ts"
import { DEFAULTS, type ForwardTarget, type ReadyCheck } from "./schema.ts"
import { renderTemplate, templateKeyLabel, UnknownTemplateError } from "./template.ts"
import { parseDuration } from "../duration.ts"
import { splitArgs } from "./shellwords.ts"

interface Vars {
  values: Record<string, string>
  secret: Set<string>
}

export function resolveConfig(loaded: LoadedConfig, ports: Record<string, number>, problems: Problem[]): ResolvedConfig {
  const c = loaded.config
  const ident = loaded.identity
  const root = ident.root
  const userEnv = processEnv()
  const clusterName = c.cluster?.name ?? `${ident.name}-dev`

  const templateValues: Record<string, string | number> = { "project.name": ident.name, "project.slug": ident.slug, "project.id": ident.id }
  for (const [key, port] of Object.entries(ports)) templateValues[key.replace(/^(services|docker)\.([^.]+)$/, "$1.$2.port")] = port
  const render = (text: string, path: KeyPath): string => {
    try {
      return renderTemplate(text, templateValues, (ref) => ref.startsWith("compose."))
    } catch (e) {
      if (e instanceof UnknownTemplateError) problems.push({ path, message: `${templateKeyLabel(path)}: ${e.message}` })
      else throw e
      return text
    }
  }
  templateValues["cluster.name"] = render(clusterName, ["cluster", "name"])

  const readEnvFiles = (files: string | string[] | undefined, path: KeyPath): Vars => {
    const out: Vars = { values: {}, secret: new Set() }
    const list = files === undefined ? [] : Array.isArray(files) ? files : [files]
    list.forEach((f, i) => {
      const at = Array.isArray(files) ? [...path, i] : path
      let file: string
      try {
        file = join(root, expandVars(f, (n) => userEnv[n]).value)
      } catch (e) {
        problems.push({ path: at, message: `env_file ${JSON.stringify(f)}: ${(e as Error).message}` })
        return
      }
      if (!existsSync(file)) return void problems.push({ path: at, message: `env_file not found: ${file}` })
      const parsed = parseEnvFile(readFileSync(file, "utf8"))
      for (const err of parsed.errors) problems.push({ path: at, message: `${f}:${err.line}: ${err.message}` })
      for (const [k, v] of Object.entries(parsed.vars)) {
        out.values[k] = v.value
        out.secret.add(k)
      }
    })
    return out
  }

  /** Expands and renders an env table; keys using env-file values become secret. */
  const resolveEnv = (env: Record<string, unknown> | undefined, files: Vars, path: KeyPath): Vars => {
    const out: Vars = { values: { ...files.values }, secret: new Set(files.secret) }
    for (const [k, raw] of Object.entries(env ?? {})) {
      const text = String(raw)
      try {
        const { value, used } = expandVars(text, (n) => files.values[n] ?? userEnv[n])
        out.values[k] = render(value, [...path, k])
        if (used.some((u) => files.secret.has(u))) out.secret.add(k)
        else out.secret.delete(k)
      } catch (e) {
        if (!(e instanceof UndefinedVariableError)) throw e
        problems.push({ path: [...path, k], message: `${k}: undefined variable $${e.variable} (define it in the environment or an env_file; use $$ for a literal $)` })
      }
    }
    return out
  }

  const projectFiles = readEnvFiles(c.project.env_file, ["project", "env_file"])
  const shared = resolveEnv(c.env, projectFiles, ["env"])

  const services: Record<string, ResolvedService> = {}
  for (const [name, s] of Object.entries(c.services ?? {})) {
    if (c.cluster?.deploy?.[name]) continue // deployed into the cluster instead of run locally
    const path: KeyPath = ["services", name]
    const cwd = join(root, s.path ?? ".")
    let command = s.command
    let detected: string | undefined
    if (!command && s.detect) {
      detected = detectCommand(cwd)
      if (!detected) problems.push({ path: [...path, "detect"], message: `detect = true, but no Cargo.toml, package.json with a "dev" script, or go.mod in ${cwd}` })
      command = detected
    }
    const env = resolveEnv(s.env, mergeVars(shared, readEnvFiles(s.env_file, [...path, "env_file"])), [...path, "env"])
    services[name] = {
      name,
      cwd,
      command: render(command ?? "", [...path, "command"]),
      port: ports[`services.${name}`],
      autoPort: s.port === "auto",
      env: env.values,
      secretKeys: [...env.secret],
      dependsOn: s.depends_on ?? [],
      readyCheck: s.ready_check && renderCheck(s.ready_check, render, [...path, "ready_check"]),
      restart: s.restart ?? "on-failure",
      maxRestarts: s.max_restarts ?? DEFAULTS.maxRestarts,
      stopTimeoutMs: s.stop_timeout !== undefined ? parseDuration(s.stop_timeout) : DEFAULTS.stopTimeoutMs,
      onDependencyRestart: s.on_dependency_restart ?? "ignore",
      detected,
    }
  }

  const docker: Record<string, ResolvedContainer> = {}
  for (const [name, d] of Object.entries(c.docker ?? {})) {
    const path: KeyPath = ["docker", name]
    const files = readEnvFiles(d.env_file, [...path, "env_file"])
    const env = resolveEnv(d.env, files, [...path, "env"])
    let image = d.image
    try {
      image = expandVars(d.image, (n) => files.values[n] ?? projectFiles.values[n] ?? userEnv[n]).value
    } catch (e) {
      if (!(e instanceof UndefinedVariableError)) throw e
      problems.push({ path: [...path, "image"], message: `image: undefined variable $${e.variable}` })
    }
    const published = (key: string, container: number | undefined, auto: boolean): PublishedPort | undefined => {
      const host = ports[key]
      return host === undefined ? undefined : { host, container: container ?? 0, protocol: "tcp", auto }
    }
    const named: Record<string, PublishedPort> = {}
    for (const [pn, p] of Object.entries(d.ports ?? {})) {
      const [, containerPart] = typeof p === "string" ? p.split(":") : [undefined, undefined]
      const cport = containerPart ? Number(containerPart.split("/")[0]) : typeof p === "number" ? p : undefined
      const proto = containerPart?.endsWith("/udp") ? "udp" : "tcp"
      const auto = p === "auto" || (typeof p === "string" && p.startsWith("auto:"))
      const pp = published(`docker.${name}.ports.${pn}`, cport, auto)
      if (pp) named[pn] = { ...pp, protocol: proto }
    }
    const argv = (v: string | string[] | undefined, key: string) =>
      v === undefined ? undefined : (typeof v === "string" ? splitArgs(v) : v).map((a, i) => render(a, [...path, key, i]))
    docker[name] = {
      name,
      image,
      port: published(`docker.${name}`, d.container_port, d.port === "auto"),
      ports: named,
      bind: d.bind ?? DEFAULTS.bind,
      env: env.values,
      secretKeys: [...env.secret],
      volumes: (d.volumes ?? []).map((v) => parseVolume(v, root, ident.slug)),
      command: argv(d.command, "command"),
      entrypoint: argv(d.entrypoint, "entrypoint"),
      user: d.user,
      dependsOn: d.depends_on ?? [],
      readyCheck: d.ready_check && renderCheck(d.ready_check, render, [...path, "ready_check"]),
      init: d.init ?? [],
      pull: d.pull ?? "missing",
      stopTimeoutMs: d.stop_timeout !== undefined ? parseDuration(d.stop_timeout) : DEFAULTS.stopTimeoutMs,
    }
  }

  const out: ResolvedConfig = { identity: ident, env: shared.values, secretKeys: [...shared.secret], services, docker }
  if (c.compose) {
    const readyChecks: Record<string, ReadyCheck> = {}
    for (const [n, rc] of Object.entries(c.compose.ready_checks ?? {})) readyChecks[n] = renderCheck(rc, render, ["compose", "ready_checks", n])
    out.compose = {
      file: join(root, c.compose.file),
      services: c.compose.services ?? loaded.ctx.composeServices,
      selected: c.compose.services ?? [],
      envFile: c.compose.env_file ? join(root, c.compose.env_file) : undefined,
      readyChecks,
    }
  }
  if (c.cluster) {
    const deploy: NonNullable<ResolvedConfig["cluster"]>["deploy"] = {}
    for (const [n, d] of Object.entries(c.cluster.deploy ?? {}))
      deploy[n] = {
        name: n,
        context: join(root, d.context),
        dockerfile: d.dockerfile ?? "Dockerfile",
        manifests: join(root, d.manifests),
        watch: d.watch ?? false,
        dependsOn: [...(d.depends_on ?? []), ...(c.services?.[n]?.depends_on ?? [])],
      }
    const addons: NonNullable<ResolvedConfig["cluster"]>["addons"] = {}
    for (const [n, a] of Object.entries(c.cluster.addons ?? {}))
      addons[n] = { ...a, name: n, ...(a.type !== "helm" && a.path ? { path: join(root, a.path) } : {}) }
    out.cluster = {
      name: String(templateValues["cluster.name"]),
      k3dName: names.cluster(ident.slug),
      agents: c.cluster.agents ?? 1,
      ports: c.cluster.ports ?? [],
      registry: c.cluster.registry ?? false,
      deploy,
      addons,
    }
  }
  if (c.dashboard) {
    const o = c.dashboard.otel ?? {}
    out.dashboard = {
      enabled: c.dashboard.enabled ?? true,
      port: c.dashboard.port ?? DEFAULTS.dashboardPort,
      grpcPort: o.grpc_port ?? DEFAULTS.grpcPort,
      httpPort: o.http_port ?? DEFAULTS.httpPort,
      explicit: { port: c.dashboard.port !== undefined, grpcPort: o.grpc_port !== undefined, httpPort: o.http_port !== undefined },
      traceBuffer: o.trace_buffer ?? DEFAULTS.traceBuffer,
      metricBuffer: o.metric_buffer ?? DEFAULTS.metricBuffer,
      logBuffer: o.log_buffer ?? DEFAULTS.logBuffer,
      retentionMs: o.retention !== undefined ? parseDuration(o.retention) : DEFAULTS.retentionMs,
      auth: c.dashboard.auth ?? true,
      corsOrigins: o.cors_origins ?? [],
      ...(o.forward?.length ? { forward: resolveForward(o.forward, (n) => projectFiles.values[n] ?? userEnv[n], problems) } : {}),
      ...(o.memory_mb !== undefined ? { maxBytes: o.memory_mb * 1024 * 1024 } : {}),
      ...(o.attribute_value_length_limit !== undefined ? { attributeValueLengthLimit: o.attribute_value_length_limit } : {}),
      ...(o.attribute_count_limit !== undefined ? { attributeCountLimit: o.attribute_count_limit } : {}),
      ...(o.log_body_length_limit !== undefined ? { logBodyLengthLimit: o.log_body_length_limit } : {}),
    }
  }
  return out
}

function resolveForward(list: ForwardTarget[], lookup: (name: string) => string | undefined, problems: Problem[]): ResolvedForward[] {
  return list.map((t, i) => {
    const target = typeof t === "string" ? { endpoint: t } : t
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(target.headers ?? {})) {
      try {
        headers[k] = expandVars(v, lookup).value
      } catch (e) {
        if (!(e instanceof UndefinedVariableError)) throw e
        problems.push({ path: ["dashboard", "otel", "forward", i, "headers", k], message: `${k}: undefined variable $${e.variable} (define it in the environment or an env_file; use $$ for a literal $)` })
      }
    }
    return { endpoint: target.endpoint, protocol: /^grpcs?:/.test(target.endpoint) ? "grpc" : "http/protobuf", headers, queueSize: target.queue_size ?? 1000 }
  })
}

function mergeVars(a: Vars, b: Vars): Vars {
  return { values: { ...a.values, ...b.values }, secret: new Set([...[...a.secret].filter((k) => !(k in b.values)), ...b.secret]) }
}

function renderCheck(rc: ReadyCheck, render: (t: string, p: KeyPath) => string, path: KeyPath): ReadyCheck {
  if (rc.type === "http" && rc.url) return { ...rc, url: render(rc.url, [...path, "url"]) }
  if (rc.type === "cmd")
    return { ...rc, command: typeof rc.command === "string" ? render(rc.command, [...path, "command"]) : rc.command.map((a, i) => render(a, [...path, "command", i])) }
  return rc
}

/** "pgdata:/var/lib/postgresql/data[:ro]" → named volume; "./dir:/path" → bind mount. */
export function parseVolume(spec: string, root: string, slug: string): ResolvedContainer["volumes"][number] {
  const parts = spec.split(":")
  const readOnly = parts.length > 2 && parts[parts.length - 1] === "ro"
  const source = parts[0] ?? ""
  const target = parts[1] ?? source
  const isBind = source.startsWith(".") || source.startsWith("/") || source.startsWith("~")
  return isBind
    ? { type: "bind", source: join(root, source), target, readOnly }
    : { type: "volume", source: names.volume(slug, source), target, readOnly }
}
