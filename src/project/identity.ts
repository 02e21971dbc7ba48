/**
 * Project identity and resource naming. Every resource devrig creates is named here and
 * nowhere else, so two checkouts never collide and cleanup can always find what is ours.
 */
import { createHash } from "node:crypto"
import { realpathSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { socketPath } from "../platform/paths.ts"

export const LABEL_PROJECT = "devrig.project"
export const LABEL_SERVICE = "devrig.service"
export const LABEL_CONFIG = "devrig.config"
export const LABEL_HASH = "devrig.hash"

export interface Identity {
  /** project.name from the config */
  name: string
  /** sha256(canonical path of the config file)[:8] */
  id: string
  /** `{name}-{id}` */
  slug: string
  /** canonical absolute path of the config file */
  configPath: string
  /** directory of the config file: the root for every relative path */
  root: string
}

export function canonicalPath(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

export function projectId(configPath: string): string {
  return createHash("sha256").update(canonicalPath(configPath)).digest("hex").slice(0, 8)
}

export function identity(name: string, configPath: string): Identity {
  const canonical = canonicalPath(configPath)
  const id = projectId(canonical)
  const root = dirname(canonical)
  stateDirs.set(root, stateDirFor(canonical))
  return { name, id, slug: `${name}-${id}`, configPath: canonical, root }
}

/**
 * `.devrig/` for devrig.toml; `.devrig/config-<stem>/` for another file in the same folder
 * (`-f devrig.staging.toml`), so two configs side by side never share state, logs or a socket.
 */
export function stateDirFor(configPath: string): string {
  const base = basename(configPath)
  const root = join(dirname(configPath), ".devrig")
  return base === "devrig.toml" ? root : join(root, `${ALT_PREFIX}${base.replace(/\.toml$/, "")}`)
}

export const ALT_PREFIX = "config-"

/**
 * The state directory of each project root whose config this process loaded. A devrig process
 * works on one config at a time, so `statePaths(root)` finds the right folder for `-f` configs
 * without every caller carrying the config path.
 */
const stateDirs = new Map<string, string>()

export const names = {
  container: (slug: string, name: string) => `devrig-${slug}-${name}`,
  network: (slug: string) => `devrig-${slug}-net`,
  volume: (slug: string, volume: string) => `devrig-${slug}-${volume}`,
  cluster: (slug: string) => `devrig-${slug}`,
  registry: (slug: string) => `devrig-${slug}-registry`,
  composeProject: (slug: string) => `devrig-${slug}`,
}

/** Labels carried by every Docker resource devrig creates. */
export function labels(ident: Identity, service?: string): Record<string, string> {
  const out: Record<string, string> = { [LABEL_PROJECT]: ident.slug, [LABEL_CONFIG]: ident.configPath }
  if (service) out[LABEL_SERVICE] = service
  return out
}

/** Files and folders under `.devrig/`, next to the config file. */
export function statePaths(root: string) {
  const dir = stateDirs.get(root) ?? join(root, ".devrig")
  return {
    dir,
    state: join(dir, "state.json"),
    kubeconfig: join(dir, "kubeconfig"),
    logs: join(dir, "logs"),
    /** `.devrig/control.sock`, or a short path under /tmp/devrig-<uid>/ when that is too long for a socket (made on first use) */
    get socket() {
      return socketPath(join(dir, "control.sock"))
    },
    /** names the socket when it lives outside `.devrig/` */
    socketPointer: join(dir, "control.sock.path"),
    supervisorLog: join(dir, "supervisor.log"),
    compose: join(dir, "compose.yaml"),
    lock: join(dir, "supervisor.pid"),
    lastGood: join(dir, "config.accepted.toml"),
  }
}
