// The PRD's v0.3 cluster test, against a real k3d cluster: create, deploy through the project
// registry, pod running, `devrig k get pods`, pod ↔ container over the shared network, delete,
// nothing left behind, kubeconfig gone, ~/.kube/config untouched. Needs k3d, kubectl, Docker and
// image pulls (k3s, registry:2, busybox); skipped with a message where any is missing.
import { afterAll, describe, expect, test } from "bun:test"
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { kubectlProxy } from "../../../src/cli/kubectl.ts"
import { kubectl } from "../../../src/cluster/argv.ts"
import { deployService } from "../../../src/cluster/deploy.ts"
import { runOk } from "../../../src/cluster/exec.ts"
import { kubeEnv, kubeconfigPath } from "../../../src/cluster/kubeconfig.ts"
import { clusterStatus, deleteCluster, ensureCluster, findRegistry } from "../../../src/cluster/lifecycle.ts"
import { loadProject } from "../../../src/config/load.ts"
import type { ResolvedConfig } from "../../../src/config/resolved.ts"
import { names } from "../../../src/project/identity.ts"
import { hasDocker, hasK3d, hasKubectl, tempProject, userKubeconfig } from "./helpers.ts"

const live = hasK3d && hasKubectl && hasDocker
if (!live) {
  const missing = [!hasK3d && "k3d", !hasKubectl && "kubectl", !hasDocker && "a Docker engine"].filter(Boolean).join(", ")
  console.log(`skipping the live k3d lifecycle test: ${missing} not available on this machine`)
}

const docker = (...args: string[]) => {
  const r = Bun.spawnSync(["docker", ...args])
  return { code: r.exitCode, out: r.stdout.toString().trim(), err: r.stderr.toString().trim() }
}

describe("cluster lifecycle (live k3d)", () => {
  let cfg: ResolvedConfig | undefined
  let echo: string | undefined

  afterAll(async () => {
    if (!cfg) return
    if (echo) docker("rm", "-f", echo)
    await deleteCluster(cfg).catch(() => {})
    docker("network", "rm", names.network(cfg.identity.slug))
  })

  test.skipIf(!live)(
    "create → deploy → running → devrig k → network bridge → delete leaves nothing",
    async () => {
      const user = userKubeconfig()
      const before = user.hash()
      const dir = tempProject(`
[cluster]
agents = 0
registry = true

[cluster.deploy.web]
context = "web"
manifests = "k8s/web.yaml"
`)
      mkdirSync(join(dir, "web"))
      mkdirSync(join(dir, "k8s"))
      writeFileSync(join(dir, "web", "Dockerfile"), 'FROM busybox:1.36\nRUN mkdir /www && echo devrig-web > /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n')
      writeFileSync(
        join(dir, "k8s", "web.yaml"),
        `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: web, image: web, ports: [{ containerPort: 8080 }] }
`,
      )
      cfg = (await loadProject({ cwd: dir })).config
      const slug = cfg.identity.slug
      const net = names.network(slug)
      // The lead's docker module creates the network before Phase 2; the test stands in for it.
      expect(docker("network", "create", "--label", `devrig.project=${slug}`, net).code).toBe(0)

      const handle = await ensureCluster(cfg)
      expect(await clusterStatus(cfg)).toBe("running")
      expect(statSync(kubeconfigPath(dir)).mode & 0o777).toBe(0o600)
      expect(handle.registry).toBeDefined()

      // registry push (host → localhost:PORT) and pull (node → k3d-…-registry:PORT)
      const result = await deployService(cfg, handle, "web", { log: (l) => console.log(`  ${l}`) })
      expect(result.image.startsWith(handle.registry!.pullPrefix)).toBe(true)
      expect(result.rolledOut).toEqual(["deployment/web"])
      const pods = JSON.parse((await runOk(kubectl.getPods("default"), { env: kubeEnv(dir) })).stdout).items as any[]
      const web = pods.filter((p) => p.metadata.labels?.app === "web")
      expect(web.some((p) => p.status.phase === "Running" && p.spec.containers[0].image === result.image)).toBe(true)

      expect(await kubectlProxy(["get", "pods"], { cwd: dir })).toBe(0)

      // a Docker container on devrig-{slug}-net is reachable from a pod
      echo = `devrig-${slug}-echo`
      expect(docker("run", "-d", "--name", echo, "--network", net, "--label", `devrig.project=${slug}`, "busybox:1.36", "sh", "-c", "mkdir /w && echo bridged > /w/index.html && httpd -f -p 8081 -h /w").code).toBe(0)
      const ip = docker("inspect", "-f", `{{ (index .NetworkSettings.Networks "${net}").IPAddress }}`, echo).out
      const fetched = await runOk(["kubectl", "exec", "deploy/web", "--", "wget", "-qO-", "-T", "5", `http://${ip}:8081/`], { env: kubeEnv(dir), timeoutMs: 60_000 })
      expect(fetched.stdout.trim()).toBe("bridged")
      docker("rm", "-f", echo)
      echo = undefined

      await deleteCluster(cfg)
      expect(await clusterStatus(cfg)).toBe("missing")
      expect(await findRegistry(cfg)).toBeUndefined()
      expect(docker("ps", "-aq", "--filter", `label=devrig.project=${slug}`).out).toBe("")
      expect(docker("volume", "ls", "-q", "--filter", `label=k3d.cluster=${names.cluster(slug)}`).out).toBe("")
      expect(existsSync(kubeconfigPath(dir))).toBe(false)
      expect(user.hash()).toBe(before)
    },
    900_000,
  )
})
