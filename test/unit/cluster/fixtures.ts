// A ResolvedConfig with just enough in it for the cluster module, rooted in a fresh temp dir.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ResolvedCluster, ResolvedConfig } from "../../../src/config/resolved.ts"
import { identity, names } from "../../../src/project/identity.ts"

export function fakeConfig(cluster: Partial<ResolvedCluster> = {}, root = mkdtempSync(join(tmpdir(), "devrig-cluster-"))): ResolvedConfig {
  const ident = identity("clustertest", join(root, "devrig.toml"))
  return {
    identity: ident,
    env: {},
    services: {},
    docker: {},
    cluster: {
      name: "clustertest-dev",
      k3dName: names.cluster(ident.slug),
      agents: 1,
      ports: [],
      registry: false,
      deploy: {},
      addons: {},
      ...cluster,
    },
  }
}
