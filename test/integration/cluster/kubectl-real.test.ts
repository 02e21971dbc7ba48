// The real kubectl on the paths that need no cluster: substituted manifests through apply
// (failing the way a missing cluster fails), kustomize builds, and port-forward supervision.
import { describe, expect, test } from "bun:test"
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { kubectl } from "../../../src/cluster/argv.ts"
import { runOk } from "../../../src/cluster/exec.ts"
import { kubeEnv, writeKubeconfig } from "../../../src/cluster/kubeconfig.ts"
import { parseManifests, substituteImages, toApplyInput } from "../../../src/cluster/manifests.ts"
import { startPortForwards, type PortForwardSpec } from "../../../src/cluster/portforward.ts"
import { ExternalError } from "../../../src/errors.ts"
import { fakeConfig } from "../../unit/cluster/fixtures.ts"
import { waitFor } from "../../helpers/proc-fixtures.ts"
import { hasKubectl, tempProject, unreachableKubeconfig, userKubeconfig } from "./helpers.ts"

/** Live kubectl processes started with this project's kubeconfig. */
function kubectlsOf(root: string): number[] {
  const needle = `KUBECONFIG=${kubeEnv(root).KUBECONFIG}\0`
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "latin1").includes(needle) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "latin1"))
      } catch {
        return false
      }
    })
    .map(Number)
}

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers:
        - { name: api, image: "api:latest" }
`
const REF = "k3d-devrig-x-registry:5123/api:dev-test"

if (!hasKubectl) console.log("kubectl is not on PATH: the real-kubectl integration tests are skipped")

describe.skipIf(!hasKubectl)("real kubectl without a cluster", () => {
  test("applying a substituted manifest with no server is an ExternalError carrying kubectl's reason", async () => {
    const user = userKubeconfig()
    const before = user.hash()
    const dir = tempProject()
    writeKubeconfig(dir, unreachableKubeconfig())
    const { docs, replaced } = substituteImages(parseManifests(MANIFEST), { api: REF })
    expect(replaced).toBe(1)
    const argv = kubectl.apply({ file: "-", dryRun: "client", validate: false })
    const err = await runOk(argv, { env: kubeEnv(dir), stdin: toApplyInput(docs), timeoutMs: 30_000 }).catch((e) => e)
    expect(err).toBeInstanceOf(ExternalError)
    expect(err.exitCode).toBe(2)
    expect(err.message).toBe("kubectl apply -f - failed (exit 1)")
    expect(err.details.join("\n")).toMatch(/127\.0\.0\.1:1.*(refused|unable to recognize)|unable to recognize/)
    expect(user.hash()).toBe(before)
  })

  test("kubectl kustomize builds an overlay over the substituted manifest", async () => {
    const dir = tempProject()
    const base = join(dir, "k8s")
    mkdirSync(base)
    const { docs } = substituteImages(parseManifests(MANIFEST), { api: REF })
    writeFileSync(join(base, "api.yaml"), Bun.YAML.stringify(docs[0]))
    writeFileSync(join(base, "kustomization.yaml"), "resources: [api.yaml]\ncommonLabels: { devrig.project: test }\n")
    const { stdout } = await runOk(kubectl.kustomize(base), { env: kubeEnv(dir), timeoutMs: 30_000 })
    const [built] = parseManifests(stdout)
    expect((built as any).spec.template.spec.containers[0].image).toBe(REF)
    expect((built as any).metadata.labels["devrig.project"]).toBe("test")
  })

  test("a port-forward that keeps dropping is restarted with backoff and stops for good on stop()", async () => {
    const cfg = fakeConfig({}, tempProject())
    writeKubeconfig(cfg.identity.root, unreachableKubeconfig())
    const spec: PortForwardSpec = { addon: "t", localPort: 39999, target: "svc/nothing", remotePort: "80", namespace: "default", url: "http://localhost:39999" }
    const logs: string[] = []
    const loggedAt: number[] = []
    const pf = startPortForwards(cfg, (l) => (logs.push(l), loggedAt.push(Date.now())), [spec])
    await waitFor(() => logs.length >= 2, "two failed port-forwards", 15_000)
    await pf.stop()
    expect(logs[0]).toMatch(/^port-forward http:\/\/localhost:39999 → svc\/nothing:80 exited \(1\).*retrying in 1s$/)
    expect(logs[1]).toContain("retrying in 2s")
    const count = logs.length
    // The positive signal that the pending retry was processed: a timer of ours due after it has
    // fired (timers run in deadline order), so its kubectl would have been spawned by now.
    const waitMs = Number(/retrying in (\d+)s$/.exec(logs.at(-1)!)![1]) * 1000
    await Bun.sleep(Math.max(0, loggedAt.at(-1)! + waitMs - Date.now()) + 20)
    expect(kubectlsOf(cfg.identity.root)).toEqual([])
    expect(logs.length).toBe(count)
  })
})
