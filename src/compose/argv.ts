/**
 * Every Compose command line devrig runs, built as data. Pure: the same target and options
 * always give the same argv (the determinism guarantee of docs/adr/004-compose-interop.md),
 * so tests compare arrays and `--verbose` can print exactly what runs.
 */

/** `v2` is the `docker compose` plugin, `v1` the standalone Python `docker-compose`. */
export type ComposeFlavor = "v2" | "v1"

/** Which stack a command addresses. `project` is always names.composeProject(slug). */
export interface ComposeTarget {
  flavor: ComposeFlavor
  project: string
  /** absolute path of the compose file */
  file: string
  envFile?: string
}

export interface UpOptions {
  detach: boolean
  /** appends `--scale traefik=0`; Compose ignores it when no `traefik` service exists */
  noTraefik: boolean
  /** empty or absent: every service in the file */
  services?: readonly string[]
}

export interface DownOptions {
  volumes?: boolean
  removeOrphans?: boolean
}

export interface LogsOptions {
  follow?: boolean
  services?: readonly string[]
}

export function composeExecutable(flavor: ComposeFlavor): string[] {
  return flavor === "v2" ? ["docker", "compose"] : ["docker-compose"]
}

/** `docker compose -p devrig-{slug} -f <file> [--env-file <env_file>]` */
export function baseArgv(t: ComposeTarget): string[] {
  const argv = [...composeExecutable(t.flavor), "-p", t.project, "-f", t.file]
  if (t.envFile) argv.push("--env-file", t.envFile)
  return argv
}

export function upArgv(t: ComposeTarget, o: UpOptions): string[] {
  const argv = [...baseArgv(t), "up"]
  if (o.detach) argv.push("-d")
  if (o.noTraefik) argv.push("--scale", "traefik=0")
  return [...argv, ...(o.services ?? [])]
}

export function downArgv(t: ComposeTarget, o: DownOptions = {}): string[] {
  const argv = [...baseArgv(t), "down"]
  if (o.volumes) argv.push("-v")
  if (o.removeOrphans) argv.push("--remove-orphans")
  return argv
}

export function stopArgv(t: ComposeTarget, services: readonly string[] = []): string[] {
  return [...baseArgv(t), "stop", ...services]
}

export function psArgv(t: ComposeTarget, services: readonly string[] = []): string[] {
  return [...baseArgv(t), "ps", "-q", ...services]
}

export function logsArgv(t: ComposeTarget, o: LogsOptions = {}): string[] {
  const argv = [...baseArgv(t), "logs", "--no-color"]
  if (o.follow) argv.push("-f")
  return [...argv, ...(o.services ?? [])]
}

/** The services the file declares (used when `[compose] services` is empty). */
export function servicesArgv(t: ComposeTarget): string[] {
  return [...baseArgv(t), "config", "--services"]
}

export function versionArgv(flavor: ComposeFlavor): string[] {
  return [...composeExecutable(flavor), "version"]
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/** A command line a user can paste into a POSIX shell; stable for a given argv. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (SAFE.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(" ")
}
