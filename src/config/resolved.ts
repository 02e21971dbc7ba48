/**
 * The resolved model: what the config means once defaults are applied, paths made absolute,
 * $VARs expanded, ports assigned and templates rendered. Every runtime module consumes these
 * types, never the raw TOML.
 */
import type { Addon, ReadyCheck, RestartPolicy } from "./schema.ts"
import type { Identity } from "../project/identity.ts"

export interface ResolvedService {
  name: string
  /** absolute working directory */
  cwd: string
  /** run through `sh -c` */
  command: string
  port?: number
  autoPort: boolean
  /** env from [env] + env_file + service env (templates rendered), without the DEVRIG_* discovery vars */
  env: Record<string, string>
  /** keys whose values came from an env file (masked unless --show-secrets) */
  secretKeys: string[]
  dependsOn: string[]
  readyCheck?: ReadyCheck
  restart: RestartPolicy
  maxRestarts: number
  stopTimeoutMs: number
  onDependencyRestart: "restart" | "regate" | "ignore"
  /** the command came from auto-detection */
  detected?: string
}

export interface PublishedPort {
  host: number
  container: number
  protocol: "tcp" | "udp"
  auto: boolean
}

export interface ResolvedContainer {
  name: string
  image: string
  /** main published port (`port` + `container_port`), if any */
  port?: PublishedPort
  /** named published ports (`ports = { … }`) */
  ports: Record<string, PublishedPort>
  /** host address published ports bind to */
  bind: string
  env: Record<string, string>
  secretKeys: string[]
  /** named volumes ("pgdata:/var/lib/postgresql/data") and absolute bind mounts ("/abs/dir:/path") */
  volumes: { type: "volume" | "bind"; source: string; target: string; readOnly: boolean }[]
  command?: string[]
  entrypoint?: string[]
  user?: string
  dependsOn: string[]
  readyCheck?: ReadyCheck
  init: string[]
  pull: "missing" | "always"
  stopTimeoutMs: number
}

export interface ResolvedCompose {
  /** absolute path of the compose file */
  file: string
  /** every compose service devrig knows of (the config's list, else all in the file) */
  services: string[]
  /** the services named in the config; empty or absent: Compose's own default (all) */
  selected?: string[]
  envFile?: string
  readyChecks: Record<string, ReadyCheck>
}

export interface ResolvedDeploy {
  name: string
  context: string
  dockerfile: string
  manifests: string
  watch: boolean
  dependsOn: string[]
}

export interface ResolvedCluster {
  /** display name (default `{project}-dev`) */
  name: string
  /** k3d cluster name: devrig-{slug} */
  k3dName: string
  agents: number
  ports: string[]
  registry: boolean
  deploy: Record<string, ResolvedDeploy>
  addons: Record<string, Addon & { name: string }>
}

export interface ResolvedDashboard {
  enabled: boolean
  port: number
  grpcPort: number
  httpPort: number
  /** true when the user set the port explicitly (a taken explicit port fails; a default one moves) */
  explicit: { port: boolean; grpcPort: boolean; httpPort: boolean }
  traceBuffer: number
  metricBuffer: number
  logBuffer: number
  retentionMs: number
  /** `[dashboard] auth`: require the per-run token (default true) */
  auth: boolean
  /** `[dashboard.otel] cors_origins`: browser origins allowed to send OTLP/HTTP besides loopback */
  corsOrigins: string[]
  /** where everything received is forwarded too ([dashboard.otel] forward) */
  forward?: ResolvedForward[]
  /** telemetry byte budget (unset: the store's default, 256 MiB) */
  maxBytes?: number
  attributeValueLengthLimit?: number
  attributeCountLimit?: number
  logBodyLengthLimit?: number
}

export interface ResolvedForward {
  /** as configured, e.g. http://collector:4318 or grpc://collector:4317 */
  endpoint: string
  protocol: "http/protobuf" | "grpc"
  /** expanded values; secret: every value is masked in output */
  headers: Record<string, string>
  queueSize: number
}

export interface ResolvedConfig {
  identity: Identity
  /** shared [env] (expanded), plus the project env_file's variables */
  env: Record<string, string>
  /** keys of `env` whose values came from an env file */
  secretKeys?: string[]
  services: Record<string, ResolvedService>
  docker: Record<string, ResolvedContainer>
  compose?: ResolvedCompose
  cluster?: ResolvedCluster
  dashboard?: ResolvedDashboard
}
