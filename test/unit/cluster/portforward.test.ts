import { describe, expect, test } from "bun:test"
import { backoffMs, portForwardArgv, portForwardSpecs } from "../../../src/cluster/portforward.ts"
import type { NamedAddon } from "../../../src/cluster/addons.ts"
import { fakeConfig } from "./fixtures.ts"

describe("addon port forwards", () => {
  test("one spec per port_forward entry, with the URL for the startup summary", () => {
    const cfg = fakeConfig({
      addons: {
        traefik: { type: "helm", name: "traefik", chart: "traefik/traefik", namespace: "traefik", port_forward: { "9000": "svc/traefik:9000" } } as NamedAddon,
        headlamp: { type: "helm", name: "headlamp", chart: "headlamp/headlamp", port_forward: { "8080": "svc/headlamp:http" } } as NamedAddon,
      },
    })
    const specs = portForwardSpecs(cfg)
    expect(specs).toEqual([
      { addon: "headlamp", localPort: 8080, target: "svc/headlamp", remotePort: "http", namespace: "default", url: "http://localhost:8080" },
      { addon: "traefik", localPort: 9000, target: "svc/traefik", remotePort: "9000", namespace: "traefik", url: "http://localhost:9000" },
    ])
    expect(portForwardArgv(specs[1]!)).toEqual(["kubectl", "port-forward", "--namespace", "traefik", "--address", "127.0.0.1", "svc/traefik", "9000:9000"])
  })

  test("a target without a remote port is an InputError naming the addon", () => {
    const cfg = fakeConfig({ addons: { x: { type: "helm", name: "x", chart: "x/x", port_forward: { "1": "svc/x" } } as NamedAddon } })
    expect(() => portForwardSpecs(cfg)).toThrow(/addon "x": port_forward "svc\/x"/)
  })

  test("no addons, no forwards", () => {
    expect(portForwardSpecs(fakeConfig())).toEqual([])
  })

  test("backoff doubles from 1 s and stops at 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000])
  })
})
