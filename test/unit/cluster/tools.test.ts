import { afterEach, describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { doctorChecks, findTool, parseVersion, requireTool } from "../../../src/cluster/tools.ts"
import { ExternalError } from "../../../src/errors.ts"

const savedPath = process.env.PATH

afterEach(() => {
  process.env.PATH = savedPath
})

describe("tools", () => {
  test("versions are read from each tool's own output format", () => {
    expect(parseVersion("k3d version v5.6.0\nk3s version v1.27.4-k3s1 (default)\n")).toBe("v5.6.0")
    expect(parseVersion("Client Version: v1.32.4-dispatcher\nKustomize Version: v5.5.0\n")).toBe("v1.32.4-dispatcher")
    expect(parseVersion("v3.14.0+g3fc9f4b\n")).toBe("v3.14.0+g3fc9f4b")
    expect(parseVersion("nothing here")).toBeUndefined()
  })

  test("a missing tool is an ExternalError (exit 2) naming it and how to install it", () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), "devrig-emptypath-"))
    for (const [tool, hint] of [["k3d", "k3d.io"], ["helm", "helm.sh"], ["kubectl", "kubernetes.io"]] as const) {
      let err: unknown
      try {
        requireTool(tool, "for [cluster]")
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(ExternalError)
      expect((err as ExternalError).exitCode).toBe(2)
      expect((err as ExternalError).message).toBe(`${tool} was not found on PATH (needed for [cluster])`)
      expect((err as ExternalError).hint).toContain(hint)
    }
  })

  test("doctor reports every tool as found with a version, or missing with a hint", async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), "devrig-emptypath-"))
    const none = await doctorChecks()
    expect(none.map((c) => [c.tool, c.found])).toEqual([["k3d", false], ["kubectl", false], ["helm", false]])
    expect(none.every((c) => c.hint && c.neededFor)).toBe(true)

    // the found branch, whatever this machine has installed: a kubectl that answers like one
    const bin = mkdtempSync(join(tmpdir(), "devrig-fakepath-"))
    writeFileSync(join(bin, "kubectl"), '#!/bin/sh\necho "Client Version: v1.30.2"\necho "Kustomize Version: v5.0.4"\n', { mode: 0o755 })
    process.env.PATH = bin
    const [fake] = await doctorChecks(["kubectl"])
    expect(fake).toMatchObject({ tool: "kubectl", found: true, path: join(bin, "kubectl"), version: "v1.30.2" })
  })

  // The real binary's output format, when it is installed; otherwise the skip is printed and
  // reported as a skip (not a pass that checked nothing).
  const realKubectl = findTool("kubectl")
  if (!realKubectl) console.log("kubectl is not installed here: skipping the check of the real kubectl's version output")
  test.skipIf(!realKubectl)("doctor reads the version of the real kubectl on PATH", async () => {
    const [kubectl] = await doctorChecks(["kubectl"])
    expect(kubectl!.found).toBe(true)
    expect(kubectl!.path).toBe(realKubectl!)
    expect(kubectl!.version).toMatch(/^v\d+\.\d+\.\d+/)
  })
})
