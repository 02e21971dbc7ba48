// Shared setup for the cluster integration tests: temp projects, a kubeconfig for a server that
// is not there, and which external tools this machine has.
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { home } from "../../../src/env.ts"
import { findTool } from "../../../src/cluster/tools.ts"

export const hasKubectl = !!findTool("kubectl")
export const hasK3d = !!findTool("k3d")
export const hasDocker = !!Bun.which("docker") && Bun.spawnSync(["docker", "info"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0

/** A project dir with a devrig.toml; the name is unique so parallel runs never share a slug. */
export function tempProject(toml = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "devrig-cl-int-"))
  const name = `cl${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`
  writeFileSync(join(dir, "devrig.toml"), `[project]\nname = "${name}"\n${toml}`)
  return dir
}

/** Points at a port nothing listens on: kubectl fails fast with "connection refused". */
export function unreachableKubeconfig(context = "devrig-test"): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: ${context}
  cluster: { server: "https://127.0.0.1:1" }
contexts:
- name: ${context}
  context: { cluster: ${context}, user: ${context} }
current-context: ${context}
users:
- name: ${context}
  user: { token: not-a-real-token }
`
}

/** The temp HOME's ~/.kube/config (created if needed) and a way to fingerprint its bytes. */
export function userKubeconfig(): { path: string; hash: () => string } {
  const path = join(home(), ".kube", "config")
  mkdirSync(join(home(), ".kube"), { recursive: true })
  if (!existsSync(path)) writeFileSync(path, unreachableKubeconfig("users-own-context").replace("users:", "# keep me\nusers:"))
  return { path, hash: () => createHash("sha256").update(readFileSync(path)).digest("hex") }
}
