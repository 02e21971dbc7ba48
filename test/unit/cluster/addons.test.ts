import { describe, expect, test } from "bun:test"
import { addonOrder, installSteps, uninstallSteps, type NamedAddon } from "../../../src/cluster/addons.ts"

const helmAddon = (name: string, extra: Partial<NamedAddon> = {}): NamedAddon => ({ type: "helm", name, chart: `${name}/${name}`, ...extra }) as NamedAddon

describe("addon order", () => {
  test("dependencies first, otherwise alphabetical; non-addon dependencies ignored", () => {
    const addons = {
      traefik: helmAddon("traefik", { depends_on: ["cert-manager"] }),
      headlamp: helmAddon("headlamp", { depends_on: ["traefik", "postgres"] }),
      "cert-manager": helmAddon("cert-manager"),
      aaa: helmAddon("aaa"),
    }
    expect(addonOrder(addons)).toEqual(["aaa", "cert-manager", "traefik", "headlamp"])
  })

  test("a cycle is an InputError naming the addons in it", () => {
    expect(() => addonOrder({ a: helmAddon("a", { depends_on: ["b"] }), b: helmAddon("b", { depends_on: ["a"] }), c: helmAddon("c") })).toThrow(/cycle: a, b/)
  })
})

describe("install and uninstall steps", () => {
  test("helm chart from a repo alias: repo add into the isolated config, then upgrade --install", () => {
    const steps = installSteps(
      { type: "helm", name: "traefik", chart: "traefik/traefik", repo: "https://traefik.github.io/charts", namespace: "traefik", values: { ports: { web: { nodePort: 32080 } } } } as NamedAddon,
      "/p",
    )
    expect(steps.map((s) => s.argv)).toEqual([
      ["helm", "repo", "add", "traefik", "https://traefik.github.io/charts", "--force-update"],
      ["helm", "upgrade", "--install", "traefik", "traefik/traefik", "--namespace", "traefik", "--create-namespace", "--wait", "--timeout", "5m", "--set", "ports.web.nodePort=32080"],
    ])
  })

  test("bare chart name with a repo uses --repo; no repo means no repo add", () => {
    const bare = installSteps({ type: "helm", name: "h", chart: "headlamp", repo: "https://h/charts", version: "0.20.0" } as NamedAddon, "/p")
    expect(bare).toHaveLength(1)
    expect(bare[0]!.argv).toEqual(["helm", "upgrade", "--install", "h", "headlamp", "--namespace", "default", "--create-namespace", "--repo", "https://h/charts", "--version", "0.20.0", "--wait", "--timeout", "5m"])
    expect(installSteps({ type: "helm", name: "o", chart: "oci://ghcr.io/x/y" } as NamedAddon, "/p").map((s) => s.argv[1])).toEqual(["upgrade"])
  })

  test("manifest from a relative path or URL, creating its namespace first", () => {
    const steps = installSteps({ type: "manifest", name: "tool", path: "k8s/tool.yaml", namespace: "tools" } as NamedAddon, "/proj")
    expect(steps[0]!.argv).toEqual(["kubectl", "apply", "-f", "-"])
    expect(JSON.parse(steps[0]!.stdin!)).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "tools" } })
    expect(steps[1]!.argv).toEqual(["kubectl", "apply", "--namespace", "tools", "-f", "/proj/k8s/tool.yaml"])
    const url = installSteps({ type: "manifest", name: "u", url: "https://example.com/x.yaml" } as NamedAddon, "/proj")
    expect(url.map((s) => s.argv)).toEqual([["kubectl", "apply", "--namespace", "default", "-f", "https://example.com/x.yaml"]])
  })

  test("a manifest addon with neither path nor url is an InputError", () => {
    expect(() => installSteps({ type: "manifest", name: "x" } as NamedAddon, "/p")).toThrow(/needs path or url/)
  })

  test("kustomize applies the directory with -k; absolute paths stay as they are", () => {
    expect(installSteps({ type: "kustomize", name: "k", path: "/abs/overlay" } as NamedAddon, "/p").map((s) => s.argv)).toEqual([
      ["kubectl", "apply", "--namespace", "default", "-k", "/abs/overlay"],
    ])
  })

  test("uninstall per type", () => {
    expect(uninstallSteps(helmAddon("traefik", { namespace: "traefik" }), "/p")).toEqual([["helm", "uninstall", "traefik", "--namespace", "traefik", "--wait"]])
    expect(uninstallSteps({ type: "manifest", name: "m", path: "m.yaml" } as NamedAddon, "/p")).toEqual([
      ["kubectl", "delete", "--namespace", "default", "-f", "/p/m.yaml", "--ignore-not-found", "--wait=false"],
    ])
    expect(uninstallSteps({ type: "kustomize", name: "k", path: "ov" } as NamedAddon, "/p")).toEqual([
      ["kubectl", "delete", "--namespace", "default", "-k", "/p/ov", "--ignore-not-found", "--wait=false"],
    ])
  })
})
