/**
 * Where the Docker engine is. Resolved the way the docker CLI resolves it — DOCKER_HOST, then the
 * current context (DOCKER_CONTEXT, else `currentContext` of $DOCKER_CONFIG/config.json) and its
 * meta.json endpoint — and, when neither names one, the first well-known socket that exists
 * (rootful, rootless, Docker Desktop, OrbStack, colima, Rancher Desktop, Podman).
 *
 * No docker-modem here: Compose and k3d children get the same endpoint (`dockerEnv()`) without
 * loading the engine client.
 */
import { createHash } from "node:crypto"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { getEnv, home } from "../env.ts"
import { ExternalError } from "../errors.ts"

export const DEFAULT_SOCKET = "/var/run/docker.sock"

export interface ResolvedEndpoint {
  /** DOCKER_HOST form: `unix:///path` or `tcp://host:port` */
  host: string
  /** why this one: "DOCKER_HOST", "context colima (config.json)", "Docker Desktop socket", … */
  source: string
  /** TLS material of a context endpoint (`contexts/tls/<hash>/docker/{ca,cert,key}.pem`) */
  tls?: { ca?: string; cert?: string; key?: string; skipVerify?: boolean }
}

/** The docker CLI's "no context chosen": DOCKER_HOST, or the default socket. */
const DEFAULT_CONTEXT = "default"

export class DockerEndpointError extends ExternalError {}

/** The well-known sockets, in the order they are tried. */
export function wellKnownSockets(): { path: string; what: string }[] {
  const h = home()
  const runtime = getEnv("XDG_RUNTIME_DIR")
  const out: { path: string; what: string }[] = [{ path: DEFAULT_SOCKET, what: "the default socket" }]
  if (runtime) out.push({ path: join(runtime, "docker.sock"), what: "rootless Docker socket" })
  out.push(
    { path: join(h, ".docker", "run", "docker.sock"), what: "Docker Desktop socket" },
    { path: join(h, ".orbstack", "run", "docker.sock"), what: "OrbStack socket" },
    { path: join(h, ".colima", "default", "docker.sock"), what: "colima socket" },
    { path: join(h, ".rd", "docker.sock"), what: "Rancher Desktop socket" },
  )
  if (runtime) out.push({ path: join(runtime, "podman", "podman.sock"), what: "Podman socket" })
  return out
}

export function dockerConfigDir(): string {
  return getEnv("DOCKER_CONFIG") || join(home(), ".docker")
}

/** The context the docker CLI would use: DOCKER_HOST wins, then DOCKER_CONTEXT, then config.json. */
function _contextName(): { name: string; from: string } {
  if (getEnv("DOCKER_HOST")) return { name: DEFAULT_CONTEXT, from: "DOCKER_HOST" }
  const env = getEnv("DOCKER_CONTEXT")
  if (env) return { name: env, from: "DOCKER_CONTEXT" }
  const file = join(dockerConfigDir(), "config.json")
  if (existsSync(file)) {
    let cfg: { currentContext?: unknown }
    try {
      cfg = JSON.parse(readFileSync(file, "utf8")) as { currentContext?: unknown }
    } catch (e) {
      throw new DockerEndpointError(`Cannot read the Docker config ${file}: ${(e as Error).message}`, { hint: "Fix or remove the file (the docker CLI cannot read it either)" })
    }
    if (typeof cfg.currentContext === "string" && cfg.currentContext) return { name: cfg.currentContext, from: file }
  }
  return { name: DEFAULT_CONTEXT, from: "" }
}

interface ContextMeta {
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } }
}

function _contextEndpoint(name: string, from: string): ResolvedEndpoint {
  const hash = createHash("sha256").update(name).digest("hex")
  const dir = dockerConfigDir()
  const file = join(dir, "contexts", "meta", hash, "meta.json")
  const via = from === "DOCKER_CONTEXT" ? "DOCKER_CONTEXT" : "config.json currentContext"
  let meta: ContextMeta
  try {
    meta = JSON.parse(readFileSync(file, "utf8")) as ContextMeta
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT"
    throw new DockerEndpointError(missing ? `Docker context "${name}" (from ${via}) does not exist` : `Cannot read Docker context "${name}": ${(e as Error).message}`, {
      hint: missing ? `docker context ls lists the contexts; choose one with docker context use <name>, or unset ${from === "DOCKER_CONTEXT" ? "DOCKER_CONTEXT" : "currentContext"}` : `the context is stored in ${file}`,
    })
  }
  const host = meta.Endpoints?.docker?.Host
  if (!host) throw new DockerEndpointError(`Docker context "${name}" has no docker endpoint`, { hint: `the context is stored in ${file}` })
  const tlsDir = join(dir, "contexts", "tls", hash, "docker")
  const pem = (f: string) => (existsSync(join(tlsDir, f)) ? join(tlsDir, f) : undefined)
  const tls = { ca: pem("ca.pem"), cert: pem("cert.pem"), key: pem("key.pem"), skipVerify: meta.Endpoints?.docker?.SkipTLSVerify || undefined }
  return { host, source: `context "${name}" (${via})`, tls: tls.ca || tls.cert || tls.skipVerify ? tls : undefined }
}

function _isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket() // follows symlinks: ~/.docker/run/docker.sock is often one
  } catch {
    return false
  }
}

let _cache: { key: string; value: ResolvedEndpoint } | undefined

/** The endpoint devrig talks to, and why. Re-resolved when the environment that decides it changes. */
export function resolveEndpoint(): ResolvedEndpoint {
  const key = ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "XDG_RUNTIME_DIR", "HOME"].map((k) => getEnv(k) ?? "").join("\0")
  if (_cache?.key === key) return _cache.value
  const value = _resolve()
  _cache = { key, value }
  return value
}

function _resolve(): ResolvedEndpoint {
  const dockerHost = getEnv("DOCKER_HOST")
  if (dockerHost) return { host: dockerHost, source: "DOCKER_HOST" }
  const ctx = _contextName()
  if (ctx.name !== DEFAULT_CONTEXT) return _contextEndpoint(ctx.name, ctx.from)
  const tried = wellKnownSockets()
  const found = tried.find((s) => _isSocket(s.path))
  if (found) return { host: `unix://${found.path}`, source: found.what }
  // Nothing there: name the default socket, so "Docker is not running" says where devrig looked first.
  return { host: `unix://${DEFAULT_SOCKET}`, source: `no socket at any well-known path: ${tried.map((s) => s.path).join(", ")}` }
}

/**
 * The environment for docker/docker-compose/k3d children: the same engine devrig uses.
 * DOCKER_CONTEXT is cleared so the CLI does not weigh a context against DOCKER_HOST.
 */
export function dockerEnv(): Record<string, string> {
  try {
    const ep = resolveEndpoint()
    const env: Record<string, string> = { DOCKER_HOST: ep.host, DOCKER_CONTEXT: "" }
    if (ep.tls?.cert) {
      const dir = ep.tls.cert.slice(0, ep.tls.cert.lastIndexOf("/"))
      Object.assign(env, { DOCKER_CERT_PATH: dir, DOCKER_TLS_VERIFY: ep.tls.skipVerify ? "" : "1" })
    }
    return env
  } catch {
    // An unreadable context fails devrig's own Docker calls with the clear error; children keep the user's env.
    return {}
  }
}
