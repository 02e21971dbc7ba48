// Generates the key reference in docs/guides/configuration.md from src/config/schema.ts, so the
// guide cannot drift from the validator. The hand-written prose around it stays: only the text
// between the two markers is replaced.
//   bun scripts/gen-config-docs.ts          rewrite the reference
//   bun scripts/gen-config-docs.ts --check  exit 1 when the committed guide is stale
import { Kind, OptionalKind, type TSchema } from "@sinclair/typebox"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as S from "../src/config/schema.ts"

const BEGIN = "<!-- BEGIN GENERATED: scripts/gen-config-docs.ts -->"
const END = "<!-- END GENERATED -->"
const GUIDE = join(import.meta.dir, "..", "docs", "guides", "configuration.md")

interface Row {
  key: string
  type: string
  required: boolean
  description: string
}

const kind = (s: TSchema) => (s as { [Kind]?: string })[Kind]

/** A short type name in TOML terms. */
function typeOf(s: TSchema): string {
  switch (kind(s)) {
    case "Literal":
      return JSON.stringify(s.const)
    case "Integer": {
      if (s.minimum !== undefined && s.maximum !== undefined) return `integer (${s.minimum}–${s.maximum})`
      return s.minimum !== undefined ? `integer (≥ ${s.minimum})` : "integer"
    }
    case "Number":
      return "number"
    case "String":
      return s.pattern && s.description && s.description.startsWith('"') ? s.description.split(" like ")[0]! : "string"
    case "Boolean":
      return "boolean"
    case "Array":
      return `array of ${typeOf(s.items as TSchema)}`
    case "Record":
      return `table of ${typeOf(Object.values(s.patternProperties as Record<string, TSchema>)[0]!)}`
    case "Object":
      return "table"
    case "Union": {
      if (s.discriminator) return "table (by `type`)"
      const parts = (s.anyOf as TSchema[]).map((v) => (kind(v) === "String" && v.pattern && v.description?.startsWith("a duration") ? "duration string" : typeOf(v)))
      return [...new Set(parts)].join(" | ")
    }
    case "Unknown":
      return "any"
    default:
      return String(kind(s)).toLowerCase()
  }
}

/** Flattens an object schema into dotted keys; records and unions of tables are descended. */
function rows(schema: TSchema, prefix: string, out: Row[] = []): Row[] {
  const props = schema.properties as Record<string, TSchema>
  const required = new Set((schema.required as string[] | undefined) ?? [])
  for (const [name, child] of Object.entries(props)) {
    const key = prefix ? `${prefix}.${name}` : name
    const isOptional = (child as { [OptionalKind]?: string })[OptionalKind] === "Optional"
    out.push({ key, type: typeOf(child), required: required.has(name) && !isOptional, description: child.description ?? "" })
    if (kind(child) === "Object" && Object.keys(child.properties as object).length) rows(child, key, out)
    if (kind(child) === "Record") {
      const inner = Object.values(child.patternProperties as Record<string, TSchema>)[0]!
      if (kind(inner) === "Object") rows(inner, `${key}.<name>`, out)
    }
  }
  return out
}

/** One example per key, written as it would appear in devrig.toml. A key without one fails the script. */
const EXAMPLES: Record<string, string> = {
  "project.name": 'name = "myapp"',
  "project.env_file": 'env_file = ".env"',
  "services.<name>.path": 'path = "./services/api"',
  "services.<name>.command": 'command = "cargo watch -x run"',
  "services.<name>.port": 'port = 3000',
  "services.<name>.env": 'env = { RUST_LOG = "debug" }',
  "services.<name>.env_file": 'env_file = ["api.env"]',
  "services.<name>.depends_on": 'depends_on = ["postgres"]',
  "services.<name>.ready_check": 'ready_check = { type = "http", url = "http://localhost:3000/health" }',
  "services.<name>.restart": 'restart = "always"',
  "services.<name>.max_restarts": "max_restarts = 3",
  "services.<name>.stop_timeout": 'stop_timeout = "5s"',
  "services.<name>.detect": "detect = true",
  "services.<name>.on_dependency_restart": 'on_dependency_restart = "restart"',
  "docker.<name>.image": 'image = "postgres:16"',
  "docker.<name>.port": 'port = 5432',
  "docker.<name>.container_port": "container_port = 6379",
  "docker.<name>.ports": "ports = { smtp = 1025, ui = 8025 }",
  "docker.<name>.bind": 'bind = "0.0.0.0"',
  "docker.<name>.env": 'env = { POSTGRES_PASSWORD = "devrig" }',
  "docker.<name>.env_file": 'env_file = "db.env"',
  "docker.<name>.volumes": 'volumes = ["pgdata:/var/lib/postgresql/data"]',
  "docker.<name>.command": 'command = ["redis-server", "--appendonly", "yes"]',
  "docker.<name>.entrypoint": 'entrypoint = ["/bin/sh", "-c"]',
  "docker.<name>.user": 'user = "1000:1000"',
  "docker.<name>.depends_on": 'depends_on = ["postgres"]',
  "docker.<name>.ready_check": 'ready_check = { type = "pg_isready" }',
  "docker.<name>.init": 'init = ["CREATE DATABASE myapp;"]',
  "docker.<name>.pull": 'pull = "always"',
  "docker.<name>.stop_timeout": 'stop_timeout = "30s"',
  "compose.file": 'file = "./docker-compose.yml"',
  "compose.services": 'services = ["postgres", "redis"]',
  "compose.env_file": 'env_file = ".env"',
  "compose.ready_checks": 'ready_checks = { postgres = { type = "pg_isready" } }',
  "cluster.name": 'name = "{{ project.name }}-dev"',
  "cluster.agents": "agents = 2",
  "cluster.ports": 'ports = ["8080:80@loadbalancer"]',
  "cluster.registry": "registry = true",
  "cluster.deploy": "[cluster.deploy.api]",
  "cluster.addons": "[cluster.addons.traefik]",
  "cluster.deploy.<name>.context": 'context = "./services/api"',
  "cluster.deploy.<name>.dockerfile": 'dockerfile = "Dockerfile.dev"',
  "cluster.deploy.<name>.manifests": 'manifests = "./k8s/api/"',
  "cluster.deploy.<name>.watch": "watch = true",
  "cluster.deploy.<name>.depends_on": 'depends_on = ["postgres"]',
  "dashboard.port": "port = 4000",
  "dashboard.enabled": "enabled = false",
  "dashboard.auth": "auth = false",
  "dashboard.otel": "[dashboard.otel]",
  "dashboard.otel.grpc_port": "grpc_port = 4317",
  "dashboard.otel.http_port": "http_port = 4318",
  "dashboard.otel.trace_buffer": "trace_buffer = 10000",
  "dashboard.otel.metric_buffer": "metric_buffer = 50000",
  "dashboard.otel.log_buffer": "log_buffer = 100000",
  "dashboard.otel.retention": 'retention = "1h"',
  "dashboard.otel.cors_origins": 'cors_origins = ["https://myapp.test"]',
  "dashboard.otel.forward": 'forward = ["http://collector:4318", { endpoint = "grpcs://api.honeycomb.io:443", headers = { "x-honeycomb-team" = "$HONEYCOMB_KEY" } }]',
  "dashboard.otel.memory_mb": "memory_mb = 256",
  "dashboard.otel.attribute_value_length_limit": "attribute_value_length_limit = 4096",
  "dashboard.otel.attribute_count_limit": "attribute_count_limit = 128",
  "dashboard.otel.log_body_length_limit": "log_body_length_limit = 65536",
  "ready_check.user": 'user = "devrig"',
  "ready_check.timeout": 'timeout = "60s"',
  "ready_check.command": 'command = "redis-cli ping"',
  "ready_check.expect": 'expect = "PONG"',
  "ready_check.url": 'url = "http://localhost:8025/api/v1/info"',
  "ready_check.port": "port = 5432",
  "ready_check.match": 'match = "ready to accept connections"',
  "cluster.addons.<name>.chart": 'chart = "traefik/traefik"',
  "cluster.addons.<name>.repo": 'repo = "https://traefik.github.io/charts"',
  "cluster.addons.<name>.version": 'version = "26.0.0"',
  "cluster.addons.<name>.values": 'values = { "service.type" = "NodePort" }',
  "cluster.addons.<name>.namespace": 'namespace = "traefik"',
  "cluster.addons.<name>.port_forward": 'port_forward = { 9000 = "svc/traefik:9000" }',
  "cluster.addons.<name>.depends_on": 'depends_on = ["cert-manager"]',
  "cluster.addons.<name>.path": 'path = "./k8s/addon"',
  "cluster.addons.<name>.url": 'url = "https://example.com/manifest.yaml"',
}

/** The default a description states: "(default 10s)", "(default: all)" or '"x" (default)'. */
function defaultOf(description: string): string {
  const paren = /\(default:? ([^)]+)\)/.exec(description)
  if (paren) return paren[1]!
  const tagged = /("[^"]+") \(default\)/.exec(description)
  return tagged ? tagged[1]! : "—"
}

function escape(s: string): string {
  return s.replace(/\|/g, "\\|")
}

function table(list: Row[]): string {
  const lines = ["| Key | Type | Default | Description | Example |", "|---|---|---|---|---|"]
  for (const r of list) {
    const example = EXAMPLES[r.key]
    if (!example) throw new Error(`scripts/gen-config-docs.ts: no example for \`${r.key}\`; add one to EXAMPLES`)
    const def = r.required ? "required" : r.type === "boolean" && defaultOf(r.description) === "—" ? "false" : defaultOf(r.description)
    lines.push(`| \`${r.key}\` | ${escape(r.type)} | ${escape(def)} | ${escape(r.description)} | \`${escape(example)}\` |`)
  }
  return lines.join("\n")
}

function variants(title: string, union: TSchema, prefix: string): string {
  const out = [`#### ${title}`, ""]
  for (const v of union.anyOf as TSchema[]) {
    const tag = (v.properties as Record<string, TSchema>).type!.const as string
    out.push(`\`type = "${tag}"\``, "", table(rows(v, prefix).filter((r) => !r.key.endsWith(".type"))), "")
  }
  return out.join("\n")
}

export function generate(): string {
  const sections: [string, TSchema, string][] = [
    ["[project]", S.Project, "project"],
    ["[services.<name>]", S.Service, "services.<name>"],
    ["[docker.<name>]", S.Docker, "docker.<name>"],
    ["[compose]", S.Compose, "compose"],
    ["[cluster]", S.Cluster, "cluster"],
    ["[cluster.deploy.<name>]", S.Deploy, "cluster.deploy.<name>"],
    ["[dashboard]", S.Dashboard, "dashboard"],
    ["[dashboard.otel]", S.Otel, "dashboard.otel"],
  ]
  const out: string[] = [BEGIN, "", "<!-- Do not edit by hand: run `bun scripts/gen-config-docs.ts`. -->", ""]
  for (const [title, schema, prefix] of sections) {
    out.push(`### \`${title}\``, "", schema.description ? `${schema.description[0]!.toUpperCase()}${schema.description.slice(1)}.` : "", "")
    const list = rows(schema, prefix).filter((r) => {
      // nested blocks documented in their own section
      if (prefix === "cluster") return !r.key.startsWith("cluster.deploy.<name>.")
      if (prefix === "dashboard") return !r.key.startsWith("dashboard.otel.")
      return true
    })
    out.push(table(list), "")
  }
  out.push("### `[env]`", "", `${S.EnvMap.description![0]!.toUpperCase()}${S.EnvMap.description!.slice(1)}, given to every service: keys are variable names, values ${typeOf(S.EnvMap).replace("table of ", "")}.`, "")
  out.push("### `[network]`", "", `${S.Network.description![0]!.toUpperCase()}${S.Network.description!.slice(1)}; it takes no keys.`, "")
  out.push("### Ready checks", "", "`ready_check` (on services and containers) and `compose.ready_checks.<service>` take one of:", "")
  out.push(variants("ready_check", S.ReadyCheck, "ready_check"))
  out.push("### Cluster addons", "", "`[cluster.addons.<name>]` takes one of:", "")
  out.push(variants("cluster.addons.<name>", S.Addon, "cluster.addons.<name>"))
  out.push("### Built-in defaults", "", "| Setting | Default |", "|---|---|")
  const d = S.DEFAULTS
  const defaults: [string, string][] = [
    ["ready check timeout", `${d.readyTimeoutMs / 1000}s`],
    ["`stop_timeout`", `${d.stopTimeoutMs / 1000}s`],
    ["`max_restarts`", String(d.maxRestarts)],
    ["`dashboard.port`", String(d.dashboardPort)],
    ["`dashboard.otel.grpc_port`", String(d.grpcPort)],
    ["`dashboard.otel.http_port`", String(d.httpPort)],
    ["`dashboard.otel.trace_buffer`", String(d.traceBuffer)],
    ["`dashboard.otel.metric_buffer`", String(d.metricBuffer)],
    ["`dashboard.otel.log_buffer`", String(d.logBuffer)],
    ["`dashboard.otel.retention`", `${d.retentionMs / 3_600_000}h`],
    ["`docker.<name>.bind`", `"${d.bind}"`],
    ['`"auto"` port range', `${d.autoPortMin}–${d.autoPortMax}`],
  ]
  for (const [k, v] of defaults) out.push(`| ${k} | ${v} |`)
  out.push("", END)
  return out.join("\n")
}

if (import.meta.main) {
  const current = readFileSync(GUIDE, "utf8")
  const start = current.indexOf(BEGIN)
  const end = current.indexOf(END)
  if (start < 0 || end < 0) {
    console.error(`${GUIDE} has no generated section (${BEGIN} … ${END})`)
    process.exit(1)
  }
  const next = current.slice(0, start) + generate() + current.slice(end + END.length)
  if (process.argv.includes("--check")) {
    if (next !== current) {
      console.error("docs/guides/configuration.md is stale: run `bun scripts/gen-config-docs.ts`")
      process.exit(1)
    }
  } else if (next !== current) {
    writeFileSync(GUIDE, next)
    console.log("updated docs/guides/configuration.md")
  }
}
