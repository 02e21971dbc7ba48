import { describe, expect, test } from "bun:test"
import { freePort, parseClusterState, parseRegistry, registryContainer, registryRef } from "../../../src/cluster/lifecycle.ts"

// Shapes as printed by `k3d cluster list -o json` / `k3d registry list -o json` (k3d v5).
const CLUSTERS = JSON.stringify([
  { name: "other", nodes: [{ name: "k3d-other-server-0", role: "server", State: { Running: true } }] },
  {
    name: "devrig-app-1",
    nodes: [
      { name: "k3d-devrig-app-1-server-0", role: "server", State: { Running: false, Status: "exited" } },
      { name: "k3d-devrig-app-1-serverlb", role: "loadbalancer", State: { Running: true } },
    ],
  },
  { name: "devrig-app-2", nodes: [{ name: "k3d-devrig-app-2-server-0", role: "server", State: { Running: true } }] },
])

describe("cluster state from k3d", () => {
  test("running, stopped (a running load balancer does not count) and missing", () => {
    expect(parseClusterState(CLUSTERS, "devrig-app-2")).toBe("running")
    expect(parseClusterState(CLUSTERS, "devrig-app-1")).toBe("stopped")
    expect(parseClusterState(CLUSTERS, "devrig-app-3")).toBe("missing")
  })

  test("no clusters at all, as empty output or []", () => {
    expect(parseClusterState("", "x")).toBe("missing")
    expect(parseClusterState("[]\n", "x")).toBe("missing")
  })

  test("falls back to the serversRunning count when nodes carry no state", () => {
    expect(parseClusterState(JSON.stringify([{ name: "c", serversRunning: 1 }]), "c")).toBe("running")
  })
})

describe("registry from k3d", () => {
  const REGISTRIES = JSON.stringify([
    { name: "k3d-devrig-app-1-registry", role: "registry", portMappings: { "5000/tcp": [{ HostIp: "127.0.0.1", HostPort: "5123" }] } },
    { name: "k3d-broken", role: "registry", portMappings: { "5000/tcp": null } },
  ])

  test("host port and the push/pull references derived from it", () => {
    expect(parseRegistry(REGISTRIES, "k3d-devrig-app-1-registry")).toEqual({
      container: "k3d-devrig-app-1-registry",
      hostPort: 5123,
      pushPrefix: "localhost:5123",
      pullPrefix: "k3d-devrig-app-1-registry:5123",
    })
  })

  test("absent, or present without a published port", () => {
    expect(parseRegistry(REGISTRIES, "k3d-nope")).toBeUndefined()
    expect(parseRegistry(REGISTRIES, "k3d-broken")).toBeUndefined()
    expect(parseRegistry("[]", "k3d-nope")).toBeUndefined()
  })

  test("k3d prefixes the registry container name", () => {
    expect(registryContainer("app-1")).toBe("k3d-devrig-app-1-registry")
    expect(registryRef("k3d-r", 1).pullPrefix).toBe("k3d-r:1")
  })

  test("a free loopback port is handed out and can be bound", async () => {
    const port = await freePort()
    expect(port).toBeGreaterThan(1023)
    const srv = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } })
    expect(srv.port).toBe(port)
    srv.stop(true)
  })
})
