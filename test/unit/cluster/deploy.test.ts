import { describe, expect, test } from "bun:test"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { devTag, imageRefs, isWatchIgnored, watchDeploy, type DeployResult } from "../../../src/cluster/deploy.ts"
import { registryRef } from "../../../src/cluster/lifecycle.ts"
import { InputError } from "../../../src/errors.ts"
import { fakeConfig } from "./fixtures.ts"

describe("deploy", () => {
  test("every build gets a new tag so an unchanged manifest still rolls the pods", () => {
    expect(devTag(0)).toBe("dev-0")
    expect(devTag(1_700_000_000_000)).not.toBe(devTag(1_700_000_000_001))
  })

  test("with a registry the host pushes to localhost and pods pull through the k3d registry name", () => {
    expect(imageRefs("app-1", "api", "dev-1", { registry: registryRef("k3d-devrig-app-1-registry", 5123) })).toEqual({
      build: "localhost:5123/api:dev-1",
      pull: "k3d-devrig-app-1-registry:5123/api:dev-1",
    })
  })

  test("without a registry the image is imported under a project-scoped name", () => {
    expect(imageRefs("app-1", "api", "dev-1", {})).toEqual({ build: "devrig-app-1/api:dev-1", pull: "devrig-app-1/api:dev-1" })
  })

  test("watch ignores .git, node_modules and .devrig at any depth", () => {
    expect(isWatchIgnored(".git/index")).toBe(true)
    expect(isWatchIgnored("web/node_modules/x/index.js")).toBe(true)
    expect(isWatchIgnored(".devrig/state.json")).toBe(true)
    expect(isWatchIgnored("src/main.ts")).toBe(false)
    expect(isWatchIgnored("src/.gitignore")).toBe(false)
  })

  test("a burst of edits triggers one redeploy after the debounce; ignored folders trigger none", async () => {
    const cfg = fakeConfig()
    const context = join(cfg.identity.root, "api")
    mkdirSync(join(context, "node_modules"), { recursive: true })
    mkdirSync(join(cfg.identity.root, "k8s"))
    writeFileSync(join(cfg.identity.root, "k8s", "api.yaml"), "kind: Service\nmetadata: {name: api}\n")
    // No Dockerfile: each redeploy fails fast in the build step, which is all this test needs.
    cfg.cluster!.deploy.api = { name: "api", context, dockerfile: "Dockerfile", manifests: join(cfg.identity.root, "k8s"), watch: true, dependsOn: [] }
    const results: (DeployResult | Error)[] = []
    const logs: string[] = []
    const w = watchDeploy(cfg, { name: "c", kubeconfig: "" }, "api", { debounceMs: 150, log: (l) => logs.push(l), onResult: (r) => results.push(r) })
    try {
      await Bun.sleep(50)
      writeFileSync(join(context, "node_modules", "dep.js"), "1")
      await Bun.sleep(400)
      expect(results).toHaveLength(0)

      for (let i = 0; i < 5; i++) {
        writeFileSync(join(context, `f${i}.ts`), String(i))
        await Bun.sleep(20)
      }
      await Bun.sleep(600)
      expect(results).toHaveLength(1)
      expect(results[0]).toBeInstanceOf(InputError)
      expect((results[0] as Error).message).toContain("Dockerfile not found")
      expect(logs.some((l) => l.startsWith("change detected in"))).toBe(true)

      // manifests outside the context are watched too
      writeFileSync(join(cfg.identity.root, "k8s", "api.yaml"), "kind: Service\nmetadata: {name: api2}\n")
      await Bun.sleep(600)
      expect(results).toHaveLength(2)
    } finally {
      w.close()
    }
  })

  test("watching an unknown deploy is an InputError", () => {
    expect(() => watchDeploy(fakeConfig(), { name: "c", kubeconfig: "" }, "nope")).toThrow(InputError)
  })
})
