/**
 * Finding k3d, kubectl and helm. devrig shells out to the user's own binaries rather than
 * bundling them, so a missing one is an ExternalError that says how to get it.
 */
import { getEnv } from "../env.ts"
import { ExternalError } from "../errors.ts"
import type { Tool } from "./argv.ts"

export const INSTALL_HINTS: Record<Tool, string> = {
  k3d: "install k3d: curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | bash (see https://k3d.io), or brew install k3d",
  kubectl: "install kubectl: https://kubernetes.io/docs/tasks/tools/ (apt-get install kubectl, or brew install kubectl)",
  helm: "install helm: https://helm.sh/docs/intro/install/ (brew install helm, or the get-helm-3 script)",
}

const VERSION_ARGS: Record<Tool, string[]> = {
  k3d: ["version"],
  kubectl: ["version", "--client"],
  helm: ["version", "--short"],
}

/** Absolute path of the tool on PATH, or undefined. */
export function findTool(tool: Tool): string | undefined {
  return Bun.which(tool, { PATH: getEnv("PATH") ?? "" }) ?? undefined
}

export function requireTool(tool: Tool, why?: string): string {
  const path = findTool(tool)
  if (!path) {
    throw new ExternalError(`${tool} was not found on PATH${why ? ` (needed ${why})` : ""}`, { hint: INSTALL_HINTS[tool] })
  }
  return path
}

/** The first vX.Y.Z in a tool's version output ("k3d version v5.6.0", "Client Version: v1.32.4", "v3.14.0+g…"). */
export function parseVersion(output: string): string | undefined {
  return output.match(/v?\d+\.\d+\.\d+[0-9A-Za-z.+-]*/)?.[0]
}

export interface ToolCheck {
  tool: Tool
  found: boolean
  path?: string
  version?: string
  /** what it is needed for, shown by `devrig doctor` */
  neededFor: string
  hint?: string
}

const NEEDED_FOR: Record<Tool, string> = {
  k3d: "[cluster]",
  kubectl: "[cluster], devrig k",
  helm: "[cluster.addons.*] with type = \"helm\"",
}

/** One line per tool for `devrig doctor`; never throws. */
export async function doctorChecks(tools: Tool[] = ["k3d", "kubectl", "helm"]): Promise<ToolCheck[]> {
  return Promise.all(
    tools.map(async (tool): Promise<ToolCheck> => {
      const path = findTool(tool)
      if (!path) return { tool, found: false, neededFor: NEEDED_FOR[tool], hint: INSTALL_HINTS[tool] }
      return { tool, found: true, path, version: await _version(path, tool), neededFor: NEEDED_FOR[tool] }
    }),
  )
}

async function _version(path: string, tool: Tool): Promise<string | undefined> {
  try {
    const proc = Bun.spawn([path, ...VERSION_ARGS[tool]], { stdout: "pipe", stderr: "pipe", stdin: "ignore" })
    const timer = setTimeout(() => proc.kill(), 5000)
    const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    clearTimeout(timer)
    return parseVersion(out) ?? parseVersion(err)
  } catch {
    return undefined
  }
}
