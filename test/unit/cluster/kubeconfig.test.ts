import { describe, expect, test } from "bun:test"
import { createHash } from "node:crypto"
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { home } from "../../../src/env.ts"
import { EMPTY_KUBECONFIG, ensureKubeconfigFile, hasKubeconfig, kubeEnv, kubeconfigPath, removeKubeconfig, requireKubeconfig, writeKubeconfig } from "../../../src/cluster/kubeconfig.ts"
import { InputError } from "../../../src/errors.ts"

const USER_KUBECONFIG = "apiVersion: v1\nkind: Config\ncurrent-context: work\n# the user's own comment\nclusters: []\ncontexts: []\nusers: []\n"

function userKubeconfig(): { path: string; hash: () => string } {
  // The test preload points HOME at a temp folder; this is that folder's ~/.kube/config.
  const path = join(home(), ".kube", "config")
  mkdirSync(join(home(), ".kube"), { recursive: true })
  if (!existsSync(path)) writeFileSync(path, USER_KUBECONFIG)
  return { path, hash: () => createHash("sha256").update(readFileSync(path)).digest("hex") }
}

const project = () => mkdtempSync(join(tmpdir(), "devrig-kc-"))

describe("kubeconfig isolation", () => {
  test("HOME is the test's temp home, never the developer's", () => {
    expect(home()).toContain("devrig-test-home-")
  })

  test("written to .devrig/kubeconfig with mode 0600, ~/.kube/config byte-identical", () => {
    const user = userKubeconfig()
    const before = user.hash()
    const root = project()
    const path = writeKubeconfig(root, "apiVersion: v1\nkind: Config\nclusters:\n- name: k3d-x\n")
    expect(path).toBe(join(root, ".devrig", "kubeconfig"))
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readFileSync(path, "utf8")).toContain("k3d-x")
    removeKubeconfig(root)
    expect(existsSync(path)).toBe(false)
    expect(user.hash()).toBe(before)
  })

  test("rewriting a file that had wider permissions narrows them to 0600", () => {
    const root = project()
    const path = writeKubeconfig(root, "a")
    chmodSync(path, 0o644)
    writeKubeconfig(root, "b")
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readFileSync(path, "utf8")).toBe("b")
  })

  test("every tool's environment points at the project's files and leaves HOME alone", () => {
    const root = project()
    const env = kubeEnv(root, { HOME: "/home/someone", KUBECONFIG: "/home/someone/.kube/config", PATH: "/bin" })
    expect(env.KUBECONFIG).toBe(join(root, ".devrig", "kubeconfig"))
    expect(env.KUBECACHEDIR).toBe(join(root, ".devrig", "kube-cache"))
    expect(env.HELM_REPOSITORY_CONFIG).toBe(join(root, ".devrig", "helm", "repositories.yaml"))
    expect(env.HELM_REPOSITORY_CACHE).toBe(join(root, ".devrig", "helm", "repository"))
    expect(env.HOME).toBe("/home/someone")
    expect(env.PATH).toBe("/bin")
  })

  test("no kubeconfig yet → InputError telling the user how to get a cluster", () => {
    const root = project()
    expect(hasKubeconfig(root)).toBe(false)
    let err: unknown
    try {
      requireKubeconfig(root)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).exitCode).toBe(1)
    expect((err as InputError).message).toBe("no cluster for this project; run devrig start or devrig cluster create")
    writeKubeconfig(root, "x")
    expect(requireKubeconfig(root)).toBe(kubeconfigPath(root))
  })

  test("a placeholder is written only when no kubeconfig exists", () => {
    const root = project()
    ensureKubeconfigFile(root)
    expect(readFileSync(kubeconfigPath(root), "utf8")).toBe(EMPTY_KUBECONFIG)
    expect(statSync(kubeconfigPath(root)).mode & 0o777).toBe(0o600)
    writeKubeconfig(root, "real")
    ensureKubeconfigFile(root)
    expect(readFileSync(kubeconfigPath(root), "utf8")).toBe("real")
  })

  test("remove also drops the kubectl cache and helm repo config, and tolerates nothing to remove", () => {
    const root = project()
    const env = kubeEnv(root)
    mkdirSync(env.KUBECACHEDIR!, { recursive: true })
    mkdirSync(join(root, ".devrig", "helm"), { recursive: true })
    writeFileSync(env.HELM_REPOSITORY_CONFIG!, "repositories: []\n")
    writeKubeconfig(root, "x")
    removeKubeconfig(root)
    expect(existsSync(env.KUBECACHEDIR!)).toBe(false)
    expect(existsSync(join(root, ".devrig", "helm"))).toBe(false)
    expect(() => removeKubeconfig(root)).not.toThrow()
  })
})
