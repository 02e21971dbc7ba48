import { defineCommand } from "citty"
import { existsSync } from "node:fs"
import { relative, resolve } from "node:path"
import { writeCompose } from "../compose/eject.ts"
import { loadProject } from "../config/load.ts"
import type { ResolvedContainer } from "../config/resolved.ts"
import { inspectImage } from "../docker/images.ts"
import { InputError } from "../errors.ts"
import { statePaths } from "../project/identity.ts"
import { globalOptions } from "./context.ts"
import { c, println } from "./output.ts"

export default defineCommand({
  meta: { name: "eject", description: "Write the [docker.*] blocks as a standalone compose.yaml" },
  args: {
    output: { type: "string", alias: "o", description: "Where to write it (default .devrig/compose.yaml next to devrig.toml)", valueHint: "file" },
    force: { type: "boolean", description: "Overwrite the --output file if it exists" },
  },
  async run({ args }) {
    const { config } = await loadProject({ file: globalOptions.file })
    const containers = Object.values(config.docker)
    if (containers.length === 0) throw new InputError("eject: there are no [docker.*] blocks to eject")
    const path = args.output ? resolve(args.output) : statePaths(config.identity.root).compose
    // .devrig/compose.yaml is devrig's own file; a file the user named may be theirs.
    if (args.output && existsSync(path) && !args.force)
      throw new InputError(`${relative(process.cwd(), path) || path} already exists: pass --force to overwrite it`)
    const exposed = await _exposedPorts(containers)
    writeCompose(path, { identity: config.identity, containers, exposedPort: (ct) => exposed.get(ct.name) })
    println(`${c.green("✓")} wrote ${relative(process.cwd(), path) || path} (${containers.length} container${containers.length === 1 ? "" : "s"})`)
    return 0
  },
})

/** `port` without `container_port` means "the image's single exposed port": ask the local image. */
async function _exposedPorts(containers: ResolvedContainer[]): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const ct of containers) {
    const needs = [ct.port, ...Object.values(ct.ports)].some((p) => p && p.container === 0)
    if (!needs) continue
    const exposed = (await inspectImage(ct.image))?.exposedPorts ?? []
    if (exposed.length === 1) out.set(ct.name, Number(exposed[0]!.split("/")[0]))
  }
  return out
}
