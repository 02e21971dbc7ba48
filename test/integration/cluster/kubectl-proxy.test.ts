// `devrig k …` through the real kubectl: exit codes, KUBECONFIG isolation, the no-cluster error.
import { describe, expect, test } from "bun:test"
import { mkdirSync } from "node:fs"
import { join, resolve } from "node:path"
import { kubectlProxy } from "../../../src/cli/kubectl.ts"
import { writeKubeconfig } from "../../../src/cluster/kubeconfig.ts"
import { InputError } from "../../../src/errors.ts"
import { home } from "../../../src/env.ts"
import { hasKubectl, tempProject, unreachableKubeconfig, userKubeconfig } from "./helpers.ts"

const SRC = resolve(import.meta.dir, "../../../src/cli/kubectl.ts")
if (!hasKubectl) console.log("kubectl is not on PATH: the devrig k proxy tests are skipped (install kubectl to run them)")

describe.skipIf(!hasKubectl)("devrig k proxy (real kubectl)", () => {
  test("version --client exits 0", async () => {
    const dir = tempProject()
    writeKubeconfig(dir, unreachableKubeconfig())
    expect(await kubectlProxy(["version", "--client"], { cwd: dir })).toBe(0)
  })

  test("kubectl's own exit code is passed through", async () => {
    const dir = tempProject()
    writeKubeconfig(dir, unreachableKubeconfig())
    expect(await kubectlProxy(["no-such-subcommand"], { cwd: dir })).toBe(1)
    expect(await kubectlProxy(["get", "pods", "--request-timeout=2s"], { cwd: dir })).toBe(1)
  })

  test("kubectl reads the project's kubeconfig even when the caller exported KUBECONFIG; ~/.kube/config untouched", async () => {
    const user = userKubeconfig()
    const before = user.hash()
    const dir = tempProject()
    writeKubeconfig(dir, unreachableKubeconfig("devrig-proxy-ctx"))
    // A child process, so kubectl's inherited stdout can be captured.
    const script = `import { kubectlProxy } from ${JSON.stringify(SRC)}; process.exitCode = await kubectlProxy(["config", "current-context"], { cwd: ${JSON.stringify(dir)} })`
    const proc = Bun.spawn(["bun", "-e", script], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: home(), KUBECONFIG: user.path },
      stdout: "pipe",
      stderr: "pipe",
    })
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    expect(err).toBe("")
    expect(code).toBe(0)
    expect(out.trim()).toBe("devrig-proxy-ctx")
    expect(user.hash()).toBe(before)
  })

  test("a project in a subdirectory finds its devrig.toml walking up", async () => {
    const dir = tempProject()
    writeKubeconfig(dir, unreachableKubeconfig())
    const sub = join(dir, "services", "api")
    mkdirSync(sub, { recursive: true })
    expect(await kubectlProxy(["version", "--client"], { cwd: sub })).toBe(0)
  })
})

describe("devrig k before any cluster exists", () => {
  test("InputError: no cluster for this project", async () => {
    const dir = tempProject()
    const err = await kubectlProxy(["get", "pods"], { cwd: dir }).catch((e) => e)
    expect(err).toBeInstanceOf(InputError)
    expect(err.message).toBe("no cluster for this project; run devrig start or devrig cluster create")
  })
})
