/**
 * The devrig.toml model. The schema is the type: every block is a TypeBox schema with a
 * description (the configuration guide and the validator's messages come from it), and the
 * matching TypeScript type shares its name.
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox"

const d = (description: string, extra: Record<string, unknown> = {}) => ({ description, ...extra })

/** "500ms", "10s", "5m", "1h", "1d" — or a bare number of seconds. */
export const Duration = Type.Union(
  [Type.String({ pattern: "^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$", description: 'a duration like "500ms", "10s", "5m" or "1h"' }), Type.Number({ minimum: 0 })],
  { description: 'a duration like "500ms", "10s", "5m", "1h", or a number of seconds' },
)

export const Port = Type.Union([Type.Integer({ minimum: 1, maximum: 65535 }), Type.Literal("auto")], {
  description: 'a port number (1–65535) or "auto"',
})

const Argv = Type.Union([Type.String(), Type.Array(Type.String())], { description: "a command string or an argv array" })
const StringOrList = Type.Union([Type.String(), Type.Array(Type.String())], { description: "a path or a list of paths" })
const EnvValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()], { description: "a string, number or boolean" })
export const EnvMap = Type.Record(Type.String(), EnvValue, { description: "a table of environment variables" })

const timeout = Type.Optional({ ...Duration, description: "how long to keep trying (default 30s)" })

export const ReadyCheckPgIsready = Type.Object(
  {
    type: Type.Literal("pg_isready"),
    user: Type.Optional(Type.String(d("user for pg_isready (default: POSTGRES_USER or postgres)"))),
    timeout,
  },
  { additionalProperties: false },
)
export const ReadyCheckCmd = Type.Object(
  {
    type: Type.Literal("cmd"),
    command: { ...Argv, description: "command to run (inside the container for [docker.*], in a shell for services)" },
    expect: Type.Optional(Type.String(d("substring the command's output must contain"))),
    timeout,
  },
  { additionalProperties: false },
)
export const ReadyCheckHttp = Type.Object(
  {
    type: Type.Literal("http"),
    url: Type.Optional(Type.String(d("URL that must answer 2xx (default http://localhost:<port>/)"))),
    timeout,
  },
  { additionalProperties: false },
)
export const ReadyCheckTcp = Type.Object(
  {
    type: Type.Literal("tcp"),
    port: Type.Optional(Type.Integer(d("port to connect to (default: the component's port)", { minimum: 1, maximum: 65535 }))),
    timeout,
  },
  { additionalProperties: false },
)
export const ReadyCheckLog = Type.Object(
  {
    type: Type.Literal("log"),
    match: Type.String(d("text that must appear in the output since this start")),
    timeout,
  },
  { additionalProperties: false },
)
export const ReadyCheck = Type.Union([ReadyCheckPgIsready, ReadyCheckCmd, ReadyCheckHttp, ReadyCheckTcp, ReadyCheckLog], {
  description: "how devrig knows the component is ready",
  discriminator: "type",
})
export type ReadyCheck = Static<typeof ReadyCheck>

export const RestartPolicy = Type.Union([Type.Literal("on-failure"), Type.Literal("always"), Type.Literal("never")], {
  description: 'when a service that exits is started again: "on-failure" (default), "always" or "never"',
})
export type RestartPolicy = Static<typeof RestartPolicy>

export const Service = Type.Object(
  {
    path: Type.Optional(Type.String(d('working directory, relative to devrig.toml (default ".")'))),
    command: Type.Optional(Type.String(d("the command to run, through `sh -c`"))),
    port: Type.Optional({ ...Port, description: 'port the service listens on, or "auto"' }),
    env: Type.Optional(EnvMap),
    env_file: Type.Optional({ ...StringOrList, description: "dotenv file(s) whose variables the service gets" }),
    depends_on: Type.Optional(Type.Array(Type.String(), d("components that start (and become ready) first"))),
    ready_check: Type.Optional(ReadyCheck),
    restart: Type.Optional(RestartPolicy),
    max_restarts: Type.Optional(Type.Integer(d("restarts before devrig gives up (default 10)", { minimum: 0 }))),
    stop_timeout: Type.Optional({ ...Duration, description: "grace period between SIGTERM and SIGKILL (default 10s)" }),
    detect: Type.Optional(Type.Boolean(d("infer `command` from Cargo.toml, package.json or go.mod when it is not set"))),
    on_dependency_restart: Type.Optional(
      Type.Union([Type.Literal("restart"), Type.Literal("regate"), Type.Literal("ignore")], {
        description: 'what happens when a dependency restarts: "restart", "regate" or "ignore" (default)',
      }),
    ),
  },
  { additionalProperties: false, description: "a local process devrig runs" },
)
export type Service = Static<typeof Service>

export const NamedPort = Type.Union(
  [
    Type.Integer({ minimum: 1, maximum: 65535 }),
    Type.Literal("auto"),
    Type.String({ pattern: "^(\\d+|auto):\\d+(/(tcp|udp))?$", description: '"host:container" like "8025:80" or "auto:80/udp"' }),
  ],
  { description: 'a host port, "auto", or "host:container"' },
)

export const Docker = Type.Object(
  {
    image: Type.String(d("image reference, e.g. postgres:16")),
    port: Type.Optional({ ...Port, description: 'host port published to the container port, or "auto"' }),
    container_port: Type.Optional(Type.Integer(d("container port behind `port` (default: the image's single exposed port)", { minimum: 1, maximum: 65535 }))),
    ports: Type.Optional(Type.Record(Type.String(), NamedPort, d("named published ports, e.g. { smtp = 1025, ui = 8025 }"))),
    bind: Type.Optional(Type.String(d('host address published ports bind to (default "127.0.0.1")'))),
    env: Type.Optional(EnvMap),
    env_file: Type.Optional({ ...StringOrList, description: "dotenv file(s) whose variables the container gets" }),
    volumes: Type.Optional(Type.Array(Type.String(), d('"name:/path" named volumes or "./dir:/path" bind mounts (a missing folder is created)'))),
    command: Type.Optional({ ...Argv, description: "overrides the image's CMD (argv array, or a string split like a shell)" }),
    entrypoint: Type.Optional({ ...Argv, description: "overrides the image's ENTRYPOINT" }),
    user: Type.Optional(Type.String(d("user inside the container"))),
    depends_on: Type.Optional(Type.Array(Type.String(), d("components that start (and become ready) first"))),
    ready_check: Type.Optional(ReadyCheck),
    init: Type.Optional(Type.Array(Type.String(), d("SQL (Postgres) or shell commands run once per container and its volumes, after the first ready check"))),
    pull: Type.Optional(Type.Union([Type.Literal("missing"), Type.Literal("always")], d('"missing" (default) or "always"'))),
    stop_timeout: Type.Optional({ ...Duration, description: "grace period before the engine kills the container (default 10s)" }),
  },
  { additionalProperties: false, description: "a Docker container devrig runs" },
)
export type Docker = Static<typeof Docker>

export const Compose = Type.Object(
  {
    file: Type.String(d("path to the compose file, relative to devrig.toml")),
    services: Type.Optional(Type.Array(Type.String(), d("compose services to manage (default: all)"))),
    env_file: Type.Optional(Type.String(d("env file passed to compose as --env-file"))),
    ready_checks: Type.Optional(Type.Record(Type.String(), ReadyCheck, d("ready checks per compose service"))),
  },
  { additionalProperties: false, description: "delegate containers to an existing docker-compose.yml" },
)
export type Compose = Static<typeof Compose>

export const Deploy = Type.Object(
  {
    context: Type.String(d("Docker build context, relative to devrig.toml")),
    dockerfile: Type.Optional(Type.String(d('Dockerfile inside the context (default "Dockerfile")'))),
    manifests: Type.String(d("a manifest file or a directory of manifests to apply")),
    watch: Type.Optional(Type.Boolean(d("rebuild and redeploy when files under the context change"))),
    depends_on: Type.Optional(Type.Array(Type.String(), d("components that start first"))),
  },
  { additionalProperties: false, description: "build an image and deploy it into the cluster" },
)
export type Deploy = Static<typeof Deploy>

const PortForward = Type.Record(Type.String({ pattern: "^\\d+$" }), Type.String(), d('local port → "svc/name:port"'))
const addonCommon = {
  namespace: Type.Optional(Type.String(d('namespace (default "default")'))),
  port_forward: Type.Optional(PortForward),
  depends_on: Type.Optional(Type.Array(Type.String(), d("components installed first"))),
}
export const AddonHelm = Type.Object(
  {
    type: Type.Literal("helm"),
    chart: Type.String(d('chart reference, e.g. "traefik/traefik"')),
    repo: Type.Optional(Type.String(d("chart repository URL"))),
    version: Type.Optional(Type.String(d("chart version"))),
    values: Type.Optional(Type.Record(Type.String(), Type.Unknown(), d("chart values; dotted keys like service.type"))),
    ...addonCommon,
  },
  { additionalProperties: false },
)
export const AddonManifest = Type.Object(
  {
    type: Type.Literal("manifest"),
    path: Type.Optional(Type.String(d("local manifest file"))),
    url: Type.Optional(Type.String(d("manifest URL"))),
    ...addonCommon,
  },
  { additionalProperties: false },
)
export const AddonKustomize = Type.Object(
  { type: Type.Literal("kustomize"), path: Type.String(d("kustomize directory")), ...addonCommon },
  { additionalProperties: false },
)
export const Addon = Type.Union([AddonHelm, AddonManifest, AddonKustomize], { description: "a cluster addon", discriminator: "type" })
export type Addon = Static<typeof Addon>

export const Cluster = Type.Object(
  {
    name: Type.Optional(Type.String(d('display name (default "{{ project.name }}-dev")'))),
    agents: Type.Optional(Type.Integer(d("agent nodes (default 1)", { minimum: 0, maximum: 16 }))),
    ports: Type.Optional(Type.Array(Type.String(), d('k3d port mappings, e.g. "8080:80@loadbalancer"'))),
    registry: Type.Optional(Type.Boolean(d("run a local image registry for the cluster"))),
    deploy: Type.Optional(Type.Record(Type.String(), Deploy, d("services built and deployed into the cluster"))),
    addons: Type.Optional(Type.Record(Type.String(), Addon, d("helm charts, manifests and kustomizations installed after the cluster"))),
  },
  { additionalProperties: false, description: "an optional k3d cluster" },
)
export type Cluster = Static<typeof Cluster>

const ForwardEndpoint = Type.String(
  d('an OTLP endpoint: "http(s)://host:4318" (OTLP/HTTP protobuf, /v1/<signal> appended) or "grpc://host:4317" (OTLP/gRPC; grpcs:// for TLS)', {
    pattern: "^(https?|grpcs?)://[^\\s/]+",
    patternDescription: "an http://, https://, grpc:// or grpcs:// URL",
  }),
)
export const ForwardTarget = Type.Union(
  [
    ForwardEndpoint,
    Type.Object(
      {
        endpoint: ForwardEndpoint,
        headers: Type.Optional(Type.Record(Type.String(), Type.String(), d("request headers (API keys); $VAR expanded from the environment and env files, masked in output"))),
        queue_size: Type.Optional(Type.Integer(d("requests held while the endpoint is slow or down; the oldest are dropped beyond this (default 1000)", { minimum: 1, maximum: 100000 }))),
      },
      { additionalProperties: false },
    ),
  ],
  { description: "a backend that receives a copy of everything the collector receives" },
)
export type ForwardTarget = Static<typeof ForwardTarget>

export const Otel = Type.Object(
  {
    grpc_port: Type.Optional(Type.Integer(d("OTLP/gRPC receiver port (default 4317)", { minimum: 1, maximum: 65535 }))),
    http_port: Type.Optional(Type.Integer(d("OTLP/HTTP receiver port (default 4318)", { minimum: 1, maximum: 65535 }))),
    trace_buffer: Type.Optional(Type.Integer(d("traces kept in memory (default 10000)", { minimum: 1 }))),
    metric_buffer: Type.Optional(Type.Integer(d("metric data points kept in memory (default 50000)", { minimum: 1 }))),
    log_buffer: Type.Optional(Type.Integer(d("log records kept in memory (default 100000)", { minimum: 1 }))),
    retention: Type.Optional({ ...Duration, description: 'drop telemetry older than this (default "1h")' }),
    cors_origins: Type.Optional(
      Type.Array(
        Type.String(
          d("a web origin, scheme://host[:port]", {
            pattern: "^https?://[^/?#\\s]+$",
            patternDescription: 'an origin such as "https://myapp.test" or "http://myapp.test:8080" (no path)',
          }),
        ),
        d("web origins besides loopback ones (any port of localhost, 127.0.0.1, [::1]) whose pages may send OTLP/HTTP from the browser (default none)"),
      ),
    ),
    forward: Type.Optional(Type.Array(ForwardTarget, d("send everything received on to these OTLP endpoints too (a collector, Jaeger, Tempo, a SaaS), in the background"))),
    memory_mb: Type.Optional(
      Type.Integer(d("approximate memory for stored telemetry across traces, metrics and logs, in MiB; the oldest data is evicted first (default 256)", { minimum: 1 })),
    ),
    attribute_value_length_limit: Type.Optional(
      Type.Integer(d('characters kept of an attribute value; longer values are cut and end in "…" (default 4096)', { minimum: 1 })),
    ),
    attribute_count_limit: Type.Optional(Type.Integer(d("attributes kept per span, event, link, log record or resource (default 128)", { minimum: 0 }))),
    log_body_length_limit: Type.Optional(Type.Integer(d('characters kept of a log body; longer bodies are cut and end in "…" (default 65536)', { minimum: 1 }))),
  },
  { additionalProperties: false, description: "the built-in OpenTelemetry collector" },
)

export const Dashboard = Type.Object(
  {
    port: Type.Optional(Type.Integer(d("dashboard and REST API port (default 4000)", { minimum: 1, maximum: 65535 }))),
    enabled: Type.Optional(Type.Boolean(d("set false to keep the block but run no dashboard (default true)"))),
    auth: Type.Optional(
      Type.Boolean(
        d("require the per-run token (.devrig/token; the dashboard URL in the start summary carries it) for the dashboard and REST API; false opens them to every local process (default true)"),
      ),
    ),
    otel: Type.Optional(Otel),
  },
  { additionalProperties: false, description: "the web dashboard and OTLP collector" },
)
export type Dashboard = Static<typeof Dashboard>

export const Project = Type.Object(
  {
    name: Type.String(
      d("project name; prefixes every resource devrig creates", {
        pattern: "^[a-z0-9][a-z0-9_-]*$",
        patternDescription: 'lowercase letters, digits, "-" and "_", starting with a letter or digit',
        maxLength: 40,
      }),
    ),
    env_file: Type.Optional({ ...StringOrList, description: "dotenv file(s) for every service and for $VAR expansion" }),
  },
  { additionalProperties: false, description: "project metadata" },
)

export const Network = Type.Object({}, { additionalProperties: false, description: "the shared Docker network (named devrig-{slug}-net)" })

export const Config = Type.Object(
  {
    project: Project,
    services: Type.Optional(Type.Record(Type.String(), Service, d("local processes"))),
    docker: Type.Optional(Type.Record(Type.String(), Docker, d("Docker containers"))),
    compose: Type.Optional(Compose),
    cluster: Type.Optional(Cluster),
    dashboard: Type.Optional(Dashboard),
    env: Type.Optional(EnvMap),
    network: Type.Optional(Network),
  },
  { additionalProperties: false },
)
export type Config = Static<typeof Config>

export const DEFAULTS = {
  readyTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
  maxRestarts: 10,
  dashboardPort: 4000,
  grpcPort: 4317,
  httpPort: 4318,
  traceBuffer: 10_000,
  metricBuffer: 50_000,
  logBuffer: 100_000,
  retentionMs: 3_600_000,
  bind: "127.0.0.1",
  autoPortMin: 10_000,
  autoPortMax: 65_000,
} as const

export type AnySchema = TSchema
