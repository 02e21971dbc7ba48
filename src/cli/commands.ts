/**
 * Every devrig command, loaded lazily: the table dispatch runs and completions are generated from
 * (`completions` itself is added by dispatch, so this table never points back at its reader).
 */
import type { CommandDef } from "citty"

export type Loader = () => Promise<CommandDef<any>>

export const COMMANDS: Record<string, { load: Loader; description: string }> = {
  start: { load: () => import("./start.ts").then((m) => m.default), description: "Start everything (or the named services and what they need)" },
  stop: { load: () => import("./stop.ts").then((m) => m.default), description: "Stop everything, or one service (state and volumes are kept)" },
  restart: { load: () => import("./restart.ts").then((m) => m.default), description: "Restart a service" },
  delete: { load: () => import("./delete.ts").then((m) => m.default), description: "Stop and remove everything this project created" },
  ps: { load: () => import("./ps.ts").then((m) => m.default), description: "Status of this project (--all: every devrig project)" },
  logs: { load: () => import("./logs.ts").then((m) => m.default), description: "Unified logs of services and containers" },
  env: { load: () => import("./env.ts").then((m) => m.default), description: "Print the environment a service gets" },
  validate: { load: () => import("./validate.ts").then((m) => m.default), description: "Check devrig.toml and show the resolved plan" },
  init: { load: () => import("./init.ts").then((m) => m.default), description: "Write a starter devrig.toml" },
  doctor: { load: () => import("./doctor.ts").then((m) => m.default), description: "Check the tools this config needs" },
  wait: { load: () => import("./wait.ts").then((m) => m.default), description: "Wait until components are ready or telemetry matching --for arrives" },
  query: { load: () => import("./query-cmd.ts").then((m) => m.default), description: "Query traces, metrics, logs and status as JSON (for scripts and agents)" },
  cluster: { load: () => import("./cluster.ts").then((m) => m.default), description: "Create or delete the k3d cluster; print its kubeconfig path" },
  kubectl: { load: () => import("./kubectl.ts").then((m) => m.default), description: "kubectl against this project's cluster (alias: k)" },
  exec: { load: async () => ({ meta: { name: "exec" } }), description: "A shell (or a command) inside a running container" },
  reset: { load: () => import("./reset.ts").then((m) => m.default), description: "Run a container's init scripts again" },
  eject: { load: () => import("./eject.ts").then((m) => m.default), description: "Write the [docker.*] blocks as a standalone compose.yaml" },
  skill: { load: () => import("./skill.ts").then((m) => m.default), description: "Install the Claude Code skill (.claude/skills/devrig; --global: ~/.claude)" },
  mcp: { load: () => import("./mcp.ts").then((m) => m.default), description: "MCP server over stdio for coding agents (`mcp install`: register with Claude Code)" },
}

/** \`completions\` is registered by dispatch (it reads this table); its one-line description. */
export const COMPLETIONS_DESCRIPTION = "Print a shell completion script (bash, zsh or fish)"

export const ALIASES: Record<string, string> = { k: "kubectl" }
