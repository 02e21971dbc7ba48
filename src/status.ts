/**
 * The status model shared by the supervisor, `devrig ps`, the REST API, the WebSocket and the
 * dashboard. Lifecycle states are a closed union; transitions live in the supervisor.
 */
export type ComponentKind = "service" | "docker" | "compose" | "cluster" | "deploy" | "addon"

export type ComponentState =
  | "pending" // not started yet (waiting for dependencies)
  | "starting" // spawned / created, not ready yet
  | "running" // a service that is up (port answers, or no port)
  | "ready" // a container/compose service/cluster item whose ready check passed
  | "restarting" // waiting out the backoff before the next attempt
  | "stopping"
  | "stopped"
  | "exited" // exited and will not be restarted (restart policy)
  | "failed" // could not start, or gave up after max restarts

export interface ComponentStatus {
  name: string
  kind: ComponentKind
  state: ComponentState
  pid?: number
  /** main host port */
  port?: number
  /** named host ports (containers with `ports = {…}`) */
  ports?: Record<string, number>
  /** true when `port` was assigned automatically */
  autoPort?: boolean
  url?: string
  /** ISO 8601 time the current run started */
  startedAt?: string
  restarts: number
  exitCode?: number | null
  signal?: string | null
  /** last error, human readable */
  error?: string
  /** container id, image, cluster name… */
  detail?: string
  /** the last crash report (services) */
  crash?: import("./services/crash-report.ts").CrashReport
}

export interface ProjectInfo {
  name: string
  id: string
  slug: string
  configPath: string
}

export interface DashboardInfo {
  /** without the token: the token is in .devrig/token (src/project/token.ts) */
  url: string
  port: number
  grpcPort: number
  httpPort: number
  /** false when `[dashboard] auth = false` left the API open to every local process */
  auth?: boolean
}

export interface StatusSnapshot {
  project: ProjectInfo
  supervisorPid: number
  components: ComponentStatus[]
  dashboard?: DashboardInfo
}

export type Action = "start" | "stop" | "restart"
