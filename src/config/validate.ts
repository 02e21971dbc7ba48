/**
 * Semantic checks that run after the schema check. Each is a small named function over the
 * parsed config; adding a check is adding a function to CHECKS. All problems are collected.
 */
import { isAbsolute } from "node:path"
import { findCycle, makeGraph } from "../graph/dag.ts"
import type { KeyPath } from "./locate.ts"
import { didYouMean, type Problem } from "./problems.ts"
import type { Config } from "./schema.ts"
import { templateKeyLabel, templateRefs, unknownRefMessage, type TemplateSources } from "./template.ts"

export interface CheckContext {
  /** compose service names read from the compose file (when it could be read) */
  composeServices: string[]
}

type Check = (c: Config, ctx: CheckContext) => Problem[]

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/

/** Every component that can appear in depends_on, by kind. */
export function components(c: Config, ctx: CheckContext) {
  return {
    services: Object.keys(c.services ?? {}),
    docker: Object.keys(c.docker ?? {}),
    compose: c.compose ? (c.compose.services ?? ctx.composeServices) : [],
    deploy: Object.keys(c.cluster?.deploy ?? {}),
    addons: Object.keys(c.cluster?.addons ?? {}),
  }
}

export function componentNames(c: Config, ctx: CheckContext): Set<string> {
  const k = components(c, ctx)
  return new Set([...k.services, ...k.docker, ...k.compose, ...k.deploy, ...k.addons])
}

const checkNames: Check = (c) => {
  const out: Problem[] = []
  for (const section of ["services", "docker"] as const)
    for (const name of Object.keys(c[section] ?? {}))
      if (!NAME.test(name)) out.push({ path: [section, name], message: `invalid name \`${name}\`: use letters, digits, "-", "_" or "."` })
  return out
}

const checkNameClashes: Check = (c, ctx) => {
  const out: Problem[] = []
  const services = new Set(Object.keys(c.services ?? {}))
  for (const name of Object.keys(c.docker ?? {}))
    if (services.has(name)) out.push({ path: ["docker", name], message: `\`${name}\` is both a service and a docker container; names must be unique` })
  const compose = c.compose ? (c.compose.services ?? ctx.composeServices) : []
  for (const name of compose)
    if (services.has(name) || c.docker?.[name])
      out.push({ path: ["compose", "services"], message: `compose service \`${name}\` clashes with a [services] or [docker] block of the same name` })
  for (const name of Object.keys(c.cluster?.addons ?? {}))
    if (services.has(name) || c.docker?.[name]) out.push({ path: ["cluster", "addons", name], message: `addon \`${name}\` clashes with a component of the same name` })
  return out
}

const checkDependsOn: Check = (c, ctx) => {
  const out: Problem[] = []
  const known = componentNames(c, ctx)
  const check = (path: KeyPath, self: string, deps: string[] | undefined) =>
    deps?.forEach((d, i) => {
      if (d === self) out.push({ path: [...path, i], message: `\`${self}\` depends on itself` })
      else if (!known.has(d)) out.push({ path: [...path, i], message: `depends_on names unknown component \`${d}\`${didYouMean(d, known)}` })
    })
  for (const [n, s] of Object.entries(c.services ?? {})) check(["services", n, "depends_on"], n, s.depends_on)
  for (const [n, s] of Object.entries(c.docker ?? {})) check(["docker", n, "depends_on"], n, s.depends_on)
  for (const [n, s] of Object.entries(c.cluster?.deploy ?? {})) check(["cluster", "deploy", n, "depends_on"], n, s.depends_on)
  for (const [n, s] of Object.entries(c.cluster?.addons ?? {})) check(["cluster", "addons", n, "depends_on"], n, s.depends_on)
  return out
}

/** The dependency graph as the config declares it (a deploy replaces a same-named service). */
export function dependencyGraph(c: Config) {
  const entries: [string, string[] | undefined][] = []
  for (const [n, s] of Object.entries(c.docker ?? {})) entries.push([n, s.depends_on])
  for (const [n, s] of Object.entries(c.services ?? {})) entries.push([n, s.depends_on])
  for (const [n, s] of Object.entries(c.cluster?.addons ?? {})) entries.push([n, s.depends_on])
  for (const [n, s] of Object.entries(c.cluster?.deploy ?? {})) {
    const service = c.services?.[n]
    entries.push([n, [...(s.depends_on ?? []), ...(service?.depends_on ?? [])]])
  }
  return makeGraph(entries)
}

const checkCycles: Check = (c) => {
  // A self-dependency is reported by checkDependsOn; here it would only repeat it (and hide a real cycle).
  const g = dependencyGraph(c)
  for (const [n, deps] of g) g.set(n, deps.filter((d) => d !== n))
  const cycle = findCycle(g)
  if (!cycle) return []
  const first = cycle[0]!
  const section = c.services?.[first] ? "services" : c.docker?.[first] ? "docker" : "cluster"
  return [{ path: [section, first, "depends_on"], message: `dependency cycle: ${cycle.join(" -> ")}` }]
}

const checkPorts: Check = (c) => {
  const out: Problem[] = []
  const seen = new Map<number, string>()
  const claim = (port: unknown, path: KeyPath, what: string) => {
    const n = typeof port === "number" ? port : typeof port === "string" && /^\d+:/.test(port) ? Number(port.split(":")[0]) : undefined
    if (n === undefined) return
    const prev = seen.get(n)
    if (prev) out.push({ path, message: `port ${n} is claimed by both ${prev} and ${what}` })
    else seen.set(n, what)
  }
  for (const [n, s] of Object.entries(c.services ?? {})) claim(s.port, ["services", n, "port"], `[services.${n}]`)
  for (const [n, s] of Object.entries(c.docker ?? {})) {
    claim(s.port, ["docker", n, "port"], `[docker.${n}]`)
    for (const [pn, p] of Object.entries(s.ports ?? {})) claim(p, ["docker", n, "ports", pn], `[docker.${n}] ports.${pn}`)
  }
  if (c.dashboard && c.dashboard.enabled !== false) {
    claim(c.dashboard.port, ["dashboard", "port"], "[dashboard] port")
    claim(c.dashboard.otel?.grpc_port, ["dashboard", "otel", "grpc_port"], "[dashboard.otel] grpc_port")
    claim(c.dashboard.otel?.http_port, ["dashboard", "otel", "http_port"], "[dashboard.otel] http_port")
  }
  return out
}

const checkRelativePaths: Check = (c) => {
  const out: Problem[] = []
  const rel = (p: string | undefined, path: KeyPath) => {
    if (p && isAbsolute(p)) out.push({ path, message: `absolute path ${JSON.stringify(p)}: paths must be relative to devrig.toml (use ../ for sibling repositories)` })
  }
  const files = (v: string | string[] | undefined, path: KeyPath) =>
    Array.isArray(v) ? v.forEach((p, i) => rel(p, [...path, i])) : rel(v, path)
  files(c.project?.env_file, ["project", "env_file"])
  for (const [n, s] of Object.entries(c.services ?? {})) {
    rel(s.path, ["services", n, "path"])
    files(s.env_file, ["services", n, "env_file"])
  }
  for (const [n, s] of Object.entries(c.docker ?? {})) {
    files(s.env_file, ["docker", n, "env_file"])
    s.volumes?.forEach((v, i) => rel(v.split(":")[0], ["docker", n, "volumes", i]))
  }
  if (c.compose) {
    rel(c.compose.file, ["compose", "file"])
    rel(c.compose.env_file, ["compose", "env_file"])
  }
  for (const [n, d] of Object.entries(c.cluster?.deploy ?? {})) {
    rel(d.context, ["cluster", "deploy", n, "context"])
    rel(d.manifests, ["cluster", "deploy", n, "manifests"])
  }
  for (const [n, a] of Object.entries(c.cluster?.addons ?? {})) if (a.type !== "helm") rel(a.path, ["cluster", "addons", n, "path"])
  return out
}

const checkServiceCommands: Check = (c) => {
  const out: Problem[] = []
  for (const [n, s] of Object.entries(c.services ?? {})) {
    if (!s.command && !s.detect) out.push({ path: ["services", n], message: `[services.${n}] needs a \`command\` (or \`detect = true\`)` })
    if (s.ready_check?.type === "pg_isready")
      out.push({ path: ["services", n, "ready_check", "type"], message: `ready_check type "pg_isready" only works for [docker.*] containers` })
  }
  for (const [n, a] of Object.entries(c.cluster?.addons ?? {}))
    if (a.type === "manifest" && !a.path === !a.url)
      out.push({ path: ["cluster", "addons", n], message: `manifest addon \`${n}\` needs exactly one of \`path\` or \`url\`` })
  return out
}

/** Every `{{ ref }}` the config can resolve. */
export function availableRefs(c: Config, ctx: CheckContext): Set<string> {
  const refs = new Set<string>(["project.name", "project.slug", "project.id"])
  if (c.cluster) refs.add("cluster.name")
  for (const [n, s] of Object.entries(c.services ?? {})) if (s.port !== undefined) refs.add(`services.${n}.port`)
  for (const [n, s] of Object.entries(c.docker ?? {})) {
    if (s.port !== undefined) refs.add(`docker.${n}.port`)
    for (const p of Object.keys(s.ports ?? {})) refs.add(`docker.${n}.ports.${p}`)
  }
  for (const n of c.compose ? (c.compose.services ?? ctx.composeServices) : []) refs.add(`compose.${n}.port`)
  return refs
}

/** Where templates may appear: (path, text) pairs. */
export function templatedStrings(c: Config): [KeyPath, string][] {
  const out: [KeyPath, string][] = []
  const env = (base: KeyPath, e: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(e ?? {})) if (typeof v === "string") out.push([[...base, k], v])
  }
  const argv = (base: KeyPath, v: string | string[] | undefined) => {
    if (typeof v === "string") out.push([base, v])
    else v?.forEach((s, i) => out.push([[...base, i], s]))
  }
  const check = (base: KeyPath, rc: { type: string; url?: string; command?: string | string[] } | undefined) => {
    if (rc?.url) out.push([[...base, "url"], rc.url])
    argv([...base, "command"], rc?.command)
  }
  env(["env"], c.env)
  for (const [n, s] of Object.entries(c.services ?? {})) {
    env(["services", n, "env"], s.env)
    argv(["services", n, "command"], s.command)
    check(["services", n, "ready_check"], s.ready_check)
  }
  for (const [n, s] of Object.entries(c.docker ?? {})) {
    env(["docker", n, "env"], s.env)
    argv(["docker", n, "command"], s.command)
    argv(["docker", n, "entrypoint"], s.entrypoint)
    check(["docker", n, "ready_check"], s.ready_check)
  }
  for (const [n, rc] of Object.entries(c.compose?.ready_checks ?? {})) check(["compose", "ready_checks", n], rc)
  if (c.cluster?.name) out.push([["cluster", "name"], c.cluster.name])
  return out
}

/** Each component's port names, for the messages about references the config cannot provide. */
function templateSources(c: Config, ctx: CheckContext): TemplateSources {
  const services = Object.fromEntries(Object.entries(c.services ?? {}).map(([n, s]) => [n, s.port !== undefined ? ["port"] : []]))
  const docker = Object.fromEntries(Object.entries(c.docker ?? {}).map(([n, d]) => [n, [...(d.port !== undefined ? ["port"] : []), ...Object.keys(d.ports ?? {})]]))
  return { services, docker, compose: components(c, ctx).compose }
}

const checkTemplates: Check = (c, ctx) => {
  const out: Problem[] = []
  const refs = availableRefs(c, ctx)
  const sources = templateSources(c, ctx)
  for (const [path, text] of templatedStrings(c))
    for (const ref of templateRefs(text)) if (!refs.has(ref)) out.push({ path, message: `${templateKeyLabel(path)}: ${unknownRefMessage(ref, refs, sources)}` })
  if (c.cluster?.name?.includes("{{ cluster.name }}")) out.push({ path: ["cluster", "name"], message: "cluster.name cannot reference itself" })
  return out
}

export const CHECKS: Check[] = [checkNames, checkNameClashes, checkDependsOn, checkCycles, checkPorts, checkRelativePaths, checkServiceCommands, checkTemplates]

export function semanticProblems(c: Config, ctx: CheckContext): Problem[] {
  return CHECKS.flatMap((check) => {
    try {
      return check(c, ctx)
    } catch {
      return []
    }
  })
}
