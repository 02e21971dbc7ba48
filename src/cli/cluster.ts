/** `devrig cluster create|delete|kubeconfig`: the cluster on its own, without the rest of `start`. */
import { defineCommand } from "citty"
import { loadProject } from "../config/load.ts"
import { installAddons } from "../cluster/addons.ts"
import { requireKubeconfig } from "../cluster/kubeconfig.ts"
import { deleteCluster, ensureCluster } from "../cluster/lifecycle.ts"

const fileArg = { file: { type: "string", alias: "f", description: "path to devrig.toml" } } as const
const log = (line: string) => process.stderr.write(`  ${line}\n`)

const create = defineCommand({
  meta: { name: "create", description: "create the k3d cluster and install its addons (start does this too)" },
  args: fileArg,
  async run({ args }) {
    const { config } = await loadProject({ file: args.file })
    const handle = await ensureCluster(config, log)
    await installAddons(config, log)
    process.stdout.write(`cluster ${handle.name} ready\nkubeconfig ${handle.kubeconfig}\nuse: devrig k get pods\n`)
  },
})

const del = defineCommand({
  meta: { name: "delete", description: "delete the cluster, its registry and .devrig/kubeconfig" },
  args: fileArg,
  async run({ args }) {
    const { config } = await loadProject({ file: args.file })
    await deleteCluster(config, log)
    process.stdout.write(`cluster ${config.identity.slug} deleted\n`)
  },
})

const kubeconfig = defineCommand({
  meta: { name: "kubeconfig", description: "print the path of the project's isolated kubeconfig" },
  args: fileArg,
  async run({ args }) {
    const { config } = await loadProject({ file: args.file })
    process.stdout.write(`${requireKubeconfig(config.identity.root)}\n`)
  },
})

export default defineCommand({
  meta: { name: "cluster", description: "manage the project's k3d cluster" },
  subCommands: { create, delete: del, kubeconfig },
})
