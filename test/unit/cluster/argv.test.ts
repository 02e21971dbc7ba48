import { describe, expect, test } from "bun:test"
import { chartRepoAlias, helm, helmValueFlags, k3d, kubectl, onLoopback, withNodeFilter } from "../../../src/cluster/argv.ts"

describe("k3d argv", () => {
  const base = { name: "devrig-app-1234abcd", slug: "app-1234abcd", agents: 2, ports: ["8080:80@loadbalancer", "8443:443"], network: "devrig-app-1234abcd-net" }

  test("cluster create with a pre-created registry", () => {
    expect(k3d.clusterCreate({ ...base, registryUse: "k3d-devrig-app-1234abcd-registry:5123" })).toEqual([
      "k3d", "cluster", "create", "devrig-app-1234abcd",
      "--agents", "2",
      "--api-port", "127.0.0.1:random",
      "--port", "127.0.0.1:8080:80@loadbalancer",
      "--port", "127.0.0.1:8443:443@loadbalancer",
      "--network", "devrig-app-1234abcd-net",
      "--kubeconfig-update-default=false",
      "--kubeconfig-switch-context=false",
      "--wait", "--timeout", "180s",
      "--registry-use", "k3d-devrig-app-1234abcd-registry:5123",
      "--runtime-label", "devrig.project=app-1234abcd@all",
    ])
  })

  test("cluster create letting k3d create the registry", () => {
    const argv = k3d.clusterCreate({ ...base, ports: [], registryCreate: "devrig-app-1234abcd-registry:127.0.0.1:5123" })
    expect(argv).toContain("--registry-create")
    expect(argv[argv.indexOf("--registry-create") + 1]).toBe("devrig-app-1234abcd-registry:127.0.0.1:5123")
    expect(argv).not.toContain("--registry-use")
    expect(argv).not.toContain("--port")
  })

  test("cluster create without a registry never mentions one, and never touches the default kubeconfig", () => {
    const argv = k3d.clusterCreate({ ...base, agents: 0 })
    expect(argv.filter((a) => a.startsWith("--registry"))).toEqual([])
    expect(argv.slice(4, 6)).toEqual(["--agents", "0"])
    expect(argv).toContain("--kubeconfig-update-default=false")
    expect(argv).toContain("--kubeconfig-switch-context=false")
  })

  test("port mappings and the API port bind to loopback unless the user wrote a host address", () => {
    const ports = (argv: string[]) => argv.flatMap((a, i) => (argv[i - 1] === "--port" ? [a] : []))
    const argv = k3d.clusterCreate({ ...base, ports: ["8080:80", "9090:90@agent:0", "443", "0.0.0.0:8000:80", "192.168.1.5:8001:80@server:0", "[::1]:8002:80"] })
    expect(ports(argv)).toEqual([
      "127.0.0.1:8080:80@loadbalancer",
      "127.0.0.1:9090:90@agent:0",
      "127.0.0.1::443@loadbalancer",
      "0.0.0.0:8000:80@loadbalancer",
      "192.168.1.5:8001:80@server:0",
      "[::1]:8002:80@loadbalancer",
    ])
    expect(argv[argv.indexOf("--api-port") + 1]).toBe("127.0.0.1:random")
    expect(onLoopback("8080:80/udp")).toBe("127.0.0.1:8080:80/udp")
  })

  test("a port mapping keeps an explicit node filter and gets the load balancer otherwise", () => {
    expect(withNodeFilter("8080:80@agent:0")).toBe("8080:80@agent:0")
    expect(withNodeFilter("8080:80")).toBe("8080:80@loadbalancer")
  })

  test("the other k3d commands", () => {
    expect(k3d.clusterStart("c")).toEqual(["k3d", "cluster", "start", "c", "--wait", "--timeout", "180s"])
    expect(k3d.clusterDelete("c")).toEqual(["k3d", "cluster", "delete", "c"])
    expect(k3d.clusterList()).toEqual(["k3d", "cluster", "list", "-o", "json"])
    expect(k3d.kubeconfigGet("c")).toEqual(["k3d", "kubeconfig", "get", "c"])
    expect(k3d.registryCreate("devrig-x-registry", 5123)).toEqual(["k3d", "registry", "create", "devrig-x-registry", "--port", "127.0.0.1:5123"])
    expect(k3d.registryDelete("k3d-devrig-x-registry")).toEqual(["k3d", "registry", "delete", "k3d-devrig-x-registry"])
    expect(k3d.registryList()).toEqual(["k3d", "registry", "list", "-o", "json"])
    expect(k3d.imageImport("devrig-x/api:dev-1", "c")).toEqual(["k3d", "image", "import", "devrig-x/api:dev-1", "--cluster", "c"])
    expect(k3d.version()).toEqual(["k3d", "version"])
  })
})

describe("kubectl argv", () => {
  test("apply from a file, stdin or kustomization", () => {
    expect(kubectl.apply({ file: "/p/k8s/api" })).toEqual(["kubectl", "apply", "-f", "/p/k8s/api"])
    expect(kubectl.apply({ file: "-", namespace: "web" })).toEqual(["kubectl", "apply", "--namespace", "web", "-f", "-"])
    expect(kubectl.apply({ kustomize: "/p/overlay" })).toEqual(["kubectl", "apply", "-k", "/p/overlay"])
    expect(kubectl.apply({ file: "m.yaml", dryRun: "client", validate: false })).toEqual(["kubectl", "apply", "-f", "m.yaml", "--dry-run=client", "--validate=false"])
  })

  test("apply and delete refuse both or neither source", () => {
    expect(() => kubectl.apply({})).toThrow(TypeError)
    expect(() => kubectl.apply({ file: "a", kustomize: "b" })).toThrow(TypeError)
    expect(() => kubectl.delete({})).toThrow(TypeError)
  })

  test("delete is best effort and does not block", () => {
    expect(kubectl.delete({ file: "https://x/y.yaml", namespace: "tools" })).toEqual(["kubectl", "delete", "--namespace", "tools", "-f", "https://x/y.yaml", "--ignore-not-found", "--wait=false"])
    expect(kubectl.delete({ kustomize: "/k" })).toEqual(["kubectl", "delete", "-k", "/k", "--ignore-not-found", "--wait=false"])
  })

  test("rollout status", () => {
    expect(kubectl.rolloutStatus({ kind: "Deployment", name: "api" })).toEqual(["kubectl", "rollout", "status", "deployment/api", "--timeout=180s"])
    expect(kubectl.rolloutStatus({ kind: "StatefulSet", name: "db", namespace: "data", timeout: "30s" })).toEqual(["kubectl", "rollout", "status", "statefulset/db", "--namespace", "data", "--timeout=30s"])
  })

  test("port-forward binds loopback only", () => {
    expect(kubectl.portForward({ target: "svc/headlamp", localPort: 8080, remotePort: "80", namespace: "headlamp" })).toEqual([
      "kubectl", "port-forward", "--namespace", "headlamp", "--address", "127.0.0.1", "svc/headlamp", "8080:80",
    ])
    expect(kubectl.portForward({ target: "svc/x", localPort: 1, remotePort: "2" })).toContain("default")
  })

  test("set image, kustomize, version, get pods", () => {
    expect(kubectl.setImage({ resource: "deployment/api", container: "api", image: "r:1/api:t", namespace: "n" })).toEqual(["kubectl", "set", "image", "deployment/api", "api=r:1/api:t", "--namespace", "n"])
    expect(kubectl.kustomize("/k")).toEqual(["kubectl", "kustomize", "/k"])
    expect(kubectl.versionClient()).toEqual(["kubectl", "version", "--client"])
    expect(kubectl.getPods()).toEqual(["kubectl", "get", "pods", "--all-namespaces", "-o", "json"])
    expect(kubectl.getPods("web")).toEqual(["kubectl", "get", "pods", "--namespace", "web", "-o", "json"])
  })
})

describe("helm argv", () => {
  test("repo add replaces a stale URL instead of failing; repo update names the alias", () => {
    expect(helm.repoAdd("traefik", "https://traefik.github.io/charts")).toEqual(["helm", "repo", "add", "traefik", "https://traefik.github.io/charts", "--force-update"])
    expect(helm.repoUpdate("traefik")).toEqual(["helm", "repo", "update", "traefik"])
  })

  test("upgrade --install with version, repo and values", () => {
    expect(
      helm.upgradeInstall({ release: "traefik", chart: "traefik/traefik", namespace: "traefik", version: "28.0.0", values: { ports: { web: { nodePort: 32080 } } } }),
    ).toEqual([
      "helm", "upgrade", "--install", "traefik", "traefik/traefik", "--namespace", "traefik", "--create-namespace",
      "--version", "28.0.0", "--wait", "--timeout", "5m", "--set", "ports.web.nodePort=32080",
    ])
    expect(helm.upgradeInstall({ release: "h", chart: "headlamp", namespace: "default", repo: "https://h/charts" })).toEqual([
      "helm", "upgrade", "--install", "h", "headlamp", "--namespace", "default", "--create-namespace", "--repo", "https://h/charts", "--wait", "--timeout", "5m",
    ])
  })

  test("uninstall and version", () => {
    expect(helm.uninstall("traefik", "traefik")).toEqual(["helm", "uninstall", "traefik", "--namespace", "traefik", "--wait"])
    expect(helm.version()).toEqual(["helm", "version", "--short"])
  })

  test("values: nested tables flatten to dotted keys, each type gets the flag that keeps it", () => {
    expect(
      helmValueFlags({
        service: { type: "NodePort", port: 80 },
        installCRDs: true,
        image: { tag: "1.10" },
        replicas: 0,
        mode: "0755",
        extraArgs: ["--log.level=DEBUG", "--api.insecure"],
        tolerations: [{ key: "a", operator: "Exists" }],
        nothing: null,
      }),
    ).toEqual([
      "--set-string", "service.type=NodePort",
      "--set", "service.port=80",
      "--set", "installCRDs=true",
      "--set-string", "image.tag=1.10",
      "--set", "replicas=0",
      "--set-string", "mode=0755",
      "--set-json", 'extraArgs=["--log.level=DEBUG","--api.insecure"]',
      "--set-json", 'tolerations=[{"key":"a","operator":"Exists"}]',
      "--set", "nothing=null",
    ])
  })

  test("values: commas and backslashes in strings, dots inside one key are escaped", () => {
    expect(helmValueFlags({ args: "a,b\\c", annotations: { "kubernetes.io/ingress.class": "traefik" } })).toEqual([
      "--set-string", "args=a\\,b\\\\c",
      "--set-string", "annotations.kubernetes\\.io/ingress\\.class=traefik",
    ])
  })

  test("values: a TOML date becomes its ISO string; functions are refused", () => {
    expect(helmValueFlags({ at: new Date("2024-01-02T03:04:05Z") })).toEqual(["--set-string", "at=2024-01-02T03:04:05.000Z"])
    expect(() => helmValueFlags({ f: () => 1 })).toThrow(/unsupported helm value at f/)
  })

  test("chart repo alias", () => {
    expect(chartRepoAlias("traefik/traefik")).toBe("traefik")
    expect(chartRepoAlias("headlamp")).toBeUndefined()
    expect(chartRepoAlias("oci://ghcr.io/x/charts/y")).toBeUndefined()
    expect(chartRepoAlias("./charts/local")).toBeUndefined()
  })
})
