/**
 * `devrig kubectl …` / `devrig k …`: kubectl against this project's cluster. Arguments pass through
 * untouched (including -f, -n and --help, which belong to kubectl here), stdio is inherited so
 * `exec -it`, `logs -f` and `edit` work, and kubectl's exit code becomes devrig's.
 */
import { defineCommand } from "citty"
import { dirname } from "node:path"
import { findConfigFile } from "../config/load.ts"
import { canonicalPath } from "../project/identity.ts"
import { kubeEnv, requireKubeconfig } from "../cluster/kubeconfig.ts"
import { requireTool } from "../cluster/tools.ts"

export interface ProxyOptions {
  file?: string
  cwd?: string
}

/**
 * Runs kubectl and resolves to its exit code (128 + signal number when it was killed).
 * Only the config file's location is needed, so a devrig.toml with unrelated errors does not
 * lock the user out of their cluster.
 */
export async function kubectlProxy(args: string[], opts: ProxyOptions = {}): Promise<number> {
  const root = dirname(canonicalPath(findConfigFile(opts)))
  requireKubeconfig(root)
  const bin = requireTool("kubectl", "for devrig kubectl")
  const proc = Bun.spawn([bin, ...args], { env: kubeEnv(root), cwd: opts.cwd, stdio: ["inherit", "inherit", "inherit"] })
  // Ctrl+C reaches kubectl through the shared process group; devrig waits and reports its code.
  const ignore = () => {}
  process.on("SIGINT", ignore)
  process.on("SIGTERM", ignore)
  try {
    const code = await proc.exited
    const sig = proc.signalCode
    return sig ? 128 + (typeof sig === "number" ? sig : (_signalNumber(sig) ?? 0)) : code
  } finally {
    process.off("SIGINT", ignore)
    process.off("SIGTERM", ignore)
  }
}

function _signalNumber(sig: string): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 } as Record<string, number>)[sig]
}

function _command(name: string, description: string) {
  return defineCommand({
    meta: { name, description },
    // main.ts must hand these commands their raw argv without parsing --help or -f itself.
    async run({ rawArgs }) {
      process.exitCode = await kubectlProxy(rawArgs)
    },
  })
}

export const kubectl = _command("kubectl", "run kubectl against this project's cluster (KUBECONFIG=.devrig/kubeconfig)")
export const k = _command("k", "short for devrig kubectl")
export default kubectl
