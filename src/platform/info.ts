/**
 * What this binary runs on, and what it was built from. Tiny and import-free: `devrig --version`
 * loads it before anything else.
 */

/** `linux`, `darwin`, … (Node's names, as in the release artifacts `devrig-<os>-<arch>`). */
export function osName(): string {
  return process.platform
}

/** `x64` or `arm64`. */
export function archName(): string {
  return process.arch
}

/** The commit injected by scripts/build.ts (`define`); "unknown" when run from source. */
export function buildCommit(): string {
  return process.env.DEVRIG_COMMIT || "unknown"
}

/** `devrig 0.1.0 (commit 1a2b3c4d5e6f, linux-x64)` */
export function versionLine(version: string): string {
  return `devrig ${version} (commit ${buildCommit()}, ${osName()}-${archName()})`
}

export function isDarwin(): boolean {
  return process.platform === "darwin"
}

export function isLinux(): boolean {
  return process.platform === "linux"
}
