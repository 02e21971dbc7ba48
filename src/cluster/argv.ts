/**
 * Every k3d / kubectl / helm command line devrig runs, as data. argv[0] is the tool's name; the
 * runner swaps in the resolved path. Keeping these pure lets the unit tests pin each flag.
 */
import { LABEL_PROJECT } from "../project/identity.ts"

export type Tool = "k3d" | "kubectl" | "helm"
export type Argv = [Tool, ...string[]]

/** How long k3d may take to bring the servers up before it rolls the cluster back. */
export const CLUSTER_CREATE_TIMEOUT = "180s"
export const ROLLOUT_TIMEOUT = "180s"
export const HELM_TIMEOUT = "5m"

export interface ClusterCreateOptions {
  name: string
  slug: string
  agents: number
  ports: string[]
  network: string
  /** `k3d-<registry>:<hostPort>` of a registry created beforehand with `k3d registry create` */
  registryUse?: string
  /** `NAME[:HOST][:HOSTPORT]` to let k3d create (and own) the registry instead */
  registryCreate?: string
}

/**
 * k3d refuses a port mapping without a node filter once a cluster has more than one node (and
 * every cluster has a load balancer), so a bare "8080:80" means "through the load balancer".
 */
export function withNodeFilter(port: string): string {
  return port.includes("@") ? port : `${port}@loadbalancer`
}

/**
 * k3d publishes a mapping on every interface unless it names a host address: "8080:80" would
 * open the cluster's ingress to the whole network. Bind to loopback unless the user wrote an
 * address ("0.0.0.0:8080:80", "192.168.1.5:8080:80", "[::1]:8080:80").
 */
export function onLoopback(mapping: string): string {
  const at = mapping.indexOf("@")
  const spec = at >= 0 ? mapping.slice(0, at) : mapping
  const filter = at >= 0 ? mapping.slice(at) : ""
  if (spec.startsWith("[")) return mapping
  const parts = spec.split(":")
  if (parts.length >= 3) return mapping
  // "HOSTPORT:CONTAINERPORT" → "127.0.0.1:HOSTPORT:CONTAINERPORT"; "CONTAINERPORT" → a random host port on loopback
  return parts.length === 2 ? `127.0.0.1:${spec}${filter}` : `127.0.0.1::${spec}${filter}`
}

/** The Kubernetes API server's host port: loopback, any free port (k3d's default binds 0.0.0.0). */
export const API_PORT = "127.0.0.1:random"

export const k3d = {
  clusterCreate(o: ClusterCreateOptions): Argv {
    const argv: Argv = ["k3d", "cluster", "create", o.name, "--agents", String(o.agents), "--api-port", API_PORT]
    for (const p of o.ports) argv.push("--port", withNodeFilter(onLoopback(p)))
    argv.push(
      "--network",
      o.network,
      "--kubeconfig-update-default=false",
      "--kubeconfig-switch-context=false",
      "--wait",
      "--timeout",
      CLUSTER_CREATE_TIMEOUT,
    )
    if (o.registryUse) argv.push("--registry-use", o.registryUse)
    else if (o.registryCreate) argv.push("--registry-create", o.registryCreate)
    // Runtime labels need a node filter for the same reason ports do; "all" includes the LB.
    argv.push("--runtime-label", `${LABEL_PROJECT}=${o.slug}@all`)
    return argv
  },
  clusterStart: (name: string): Argv => ["k3d", "cluster", "start", name, "--wait", "--timeout", CLUSTER_CREATE_TIMEOUT],
  clusterDelete: (name: string): Argv => ["k3d", "cluster", "delete", name],
  clusterList: (): Argv => ["k3d", "cluster", "list", "-o", "json"],
  kubeconfigGet: (name: string): Argv => ["k3d", "kubeconfig", "get", name],
  /** k3d prefixes the container name with "k3d-"; the host port is bound to loopback only. */
  registryCreate: (name: string, hostPort: number): Argv => ["k3d", "registry", "create", name, "--port", `127.0.0.1:${hostPort}`],
  /** takes the container name, i.e. with the "k3d-" prefix */
  registryDelete: (containerName: string): Argv => ["k3d", "registry", "delete", containerName],
  registryList: (): Argv => ["k3d", "registry", "list", "-o", "json"],
  /** without a registry, images reach the nodes by import */
  imageImport: (image: string, cluster: string): Argv => ["k3d", "image", "import", image, "--cluster", cluster],
  version: (): Argv => ["k3d", "version"],
}

export interface ApplyOptions {
  /** a path, or "-" to read the manifests from stdin */
  file?: string
  /** a kustomization directory (or URL) */
  kustomize?: string
  namespace?: string
  dryRun?: "client" | "server"
  validate?: boolean
}

export const kubectl = {
  apply(o: ApplyOptions): Argv {
    if (!o.file === !o.kustomize) throw new TypeError("kubectl apply needs exactly one of file or kustomize")
    const argv: Argv = ["kubectl", "apply"]
    if (o.namespace) argv.push("--namespace", o.namespace)
    argv.push(o.file ? "-f" : "-k", (o.file ?? o.kustomize)!)
    if (o.dryRun) argv.push(`--dry-run=${o.dryRun}`)
    if (o.validate === false) argv.push("--validate=false")
    return argv
  },
  delete(o: { file?: string; kustomize?: string; namespace?: string }): Argv {
    if (!o.file === !o.kustomize) throw new TypeError("kubectl delete needs exactly one of file or kustomize")
    const argv: Argv = ["kubectl", "delete"]
    if (o.namespace) argv.push("--namespace", o.namespace)
    argv.push(o.file ? "-f" : "-k", (o.file ?? o.kustomize)!, "--ignore-not-found", "--wait=false")
    return argv
  },
  rolloutStatus(o: { kind: string; name: string; namespace?: string; timeout?: string }): Argv {
    const argv: Argv = ["kubectl", "rollout", "status", `${o.kind.toLowerCase()}/${o.name}`]
    if (o.namespace) argv.push("--namespace", o.namespace)
    argv.push(`--timeout=${o.timeout ?? ROLLOUT_TIMEOUT}`)
    return argv
  },
  /** loopback only: an addon UI should not be reachable from the LAN because devrig forwarded it */
  portForward(o: { target: string; localPort: number; remotePort: string; namespace?: string }): Argv {
    return ["kubectl", "port-forward", "--namespace", o.namespace ?? "default", "--address", "127.0.0.1", o.target, `${o.localPort}:${o.remotePort}`]
  },
  setImage(o: { resource: string; container: string; image: string; namespace?: string }): Argv {
    const argv: Argv = ["kubectl", "set", "image", o.resource, `${o.container}=${o.image}`]
    if (o.namespace) argv.push("--namespace", o.namespace)
    return argv
  },
  kustomize: (dir: string): Argv => ["kubectl", "kustomize", dir],
  versionClient: (): Argv => ["kubectl", "version", "--client"],
  getPods: (namespace?: string): Argv => ["kubectl", "get", "pods", ...(namespace ? ["--namespace", namespace] : ["--all-namespaces"]), "-o", "json"],
}

export interface HelmInstallOptions {
  release: string
  chart: string
  namespace: string
  version?: string
  /** repository URL for a bare chart name (a chart given as "alias/name" uses `helm repo add` instead) */
  repo?: string
  values?: Record<string, unknown>
}

export const helm = {
  /** --force-update: re-adding an alias whose URL changed in devrig.toml must not fail */
  repoAdd: (alias: string, url: string): Argv => ["helm", "repo", "add", alias, url, "--force-update"],
  repoUpdate: (alias: string): Argv => ["helm", "repo", "update", alias],
  upgradeInstall(o: HelmInstallOptions): Argv {
    const argv: Argv = ["helm", "upgrade", "--install", o.release, o.chart, "--namespace", o.namespace, "--create-namespace"]
    if (o.repo) argv.push("--repo", o.repo)
    if (o.version) argv.push("--version", o.version)
    argv.push("--wait", "--timeout", HELM_TIMEOUT)
    argv.push(...helmValueFlags(o.values ?? {}))
    return argv
  },
  uninstall: (release: string, namespace: string): Argv => ["helm", "uninstall", release, "--namespace", namespace, "--wait"],
  version: (): Argv => ["helm", "version", "--short"],
}

/**
 * Chart values as flags. Nested tables become dotted paths (`service.type`). Encoding per type:
 *  - strings → `--set-string`, so "1.0", "true" or "0755" stay strings instead of being retyped;
 *  - numbers, booleans, null → `--set` (helm parses them back to the same type; null removes a key);
 *  - arrays → `--set-json`, which keeps element types and nested objects exact (helm ≥ 3.10).
 * In `--set`/`--set-string` values a comma separates assignments and a backslash escapes, so both
 * are escaped. Key segments containing a dot are escaped too, so `"a.b" = 1` stays one key.
 */
export function helmValueFlags(values: Record<string, unknown>): string[] {
  const out: string[] = []
  const walk = (prefix: string, v: unknown) => {
    if (v instanceof Date) {
      out.push("--set-string", `${prefix}=${_escapeValue(v.toISOString())}`)
      return
    }
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(prefix ? `${prefix}.${_escapeKey(k)}` : _escapeKey(k), child)
      return
    }
    if (Array.isArray(v)) out.push("--set-json", `${prefix}=${JSON.stringify(v)}`)
    else if (typeof v === "string") out.push("--set-string", `${prefix}=${_escapeValue(v)}`)
    else if (typeof v === "number" || typeof v === "boolean" || v === null) out.push("--set", `${prefix}=${String(v)}`)
    else throw new TypeError(`unsupported helm value at ${prefix}: ${typeof v}`)
  }
  walk("", values)
  return out
}

function _escapeKey(k: string): string {
  return k.replace(/\\/g, "\\\\").replace(/\./g, "\\.")
}

function _escapeValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/,/g, "\\,")
}

/** "traefik/traefik" → alias "traefik"; "oci://…" and bare names need no repo alias. */
export function chartRepoAlias(chart: string): string | undefined {
  if (chart.startsWith("oci://") || chart.startsWith("/") || chart.startsWith(".")) return undefined
  const slash = chart.indexOf("/")
  return slash > 0 ? chart.slice(0, slash) : undefined
}
