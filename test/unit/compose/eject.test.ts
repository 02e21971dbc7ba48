import { describe, expect, test } from "bun:test"
import type { ResolvedContainer } from "../../../src/config/resolved.ts"
import { renderCompose } from "../../../src/compose/eject.ts"
import { InputError } from "../../../src/errors.ts"
import type { Identity } from "../../../src/project/identity.ts"

const ident: Identity = { name: "shop", id: "0badf00d", slug: "shop-0badf00d", configPath: "/src/shop/devrig.toml", root: "/src/shop" }

function container(name: string, over: Partial<ResolvedContainer>): ResolvedContainer {
  return {
    name,
    image: "img",
    ports: {},
    bind: "127.0.0.1",
    env: {},
    secretKeys: [],
    volumes: [],
    dependsOn: [],
    init: [],
    pull: "missing",
    stopTimeoutMs: 10_000,
    ...over,
  }
}

const sample: ResolvedContainer[] = [
  container("postgres", {
    image: "postgres:16",
    port: { host: 5432, container: 5432, protocol: "tcp", auto: false },
    env: { POSTGRES_USER: "shop", POSTGRES_PASSWORD: "pa$$word" },
    secretKeys: ["POSTGRES_PASSWORD"],
    volumes: [
      { type: "volume", source: "devrig-shop-0badf00d-pgdata", target: "/var/lib/postgresql/data", readOnly: false },
      { type: "bind", source: "/src/shop/sql", target: "/docker-entrypoint-initdb.d", readOnly: true },
    ],
    readyCheck: { type: "pg_isready" },
    init: ["CREATE TABLE t (id int)"],
  }),
  container("redis", {
    image: "redis:7",
    port: { host: 16379, container: 6379, protocol: "tcp", auto: true },
    readyCheck: { type: "cmd", command: ["redis-cli", "ping"], expect: "PONG", timeout: "10s" },
    stopTimeoutMs: 2500,
  }),
  container("mailpit", {
    image: "axllent/mailpit",
    ports: {
      ui: { host: 8025, container: 8025, protocol: "tcp", auto: false },
      smtp: { host: 1025, container: 1025, protocol: "tcp", auto: false },
    },
    bind: "0.0.0.0",
    readyCheck: { type: "http", url: "http://localhost:8025/api/v1/info" },
    dependsOn: ["postgres", "redis", "api"],
  }),
  container("worker", {
    image: "busybox",
    command: ["sh", "-c", "echo $HOME"],
    entrypoint: ["/bin/env"],
    user: "1000:1000",
    readyCheck: { type: "log", match: "ready" },
    dependsOn: ["mailpit"],
    pull: "always",
  }),
  container("edge", {
    image: "busybox",
    port: { host: 18080, container: 80, protocol: "tcp", auto: false },
    readyCheck: { type: "tcp" },
    dependsOn: ["worker"],
  }),
]

type Doc = { services: Record<string, Record<string, unknown>>; networks: Record<string, unknown>; volumes: Record<string, unknown> }
const parse = (text: string) => Bun.YAML.parse(text) as Doc

describe("eject", () => {
  const text = renderCompose({ identity: ident, containers: sample })
  const doc = parse(text)

  test("deterministic: same input, any order, same bytes", () => {
    expect(renderCompose({ identity: ident, containers: [...sample].reverse() })).toBe(text)
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/)
  })

  test("services sorted, each on the devrig network with init and devrig labels", () => {
    expect(Object.keys(doc.services)).toEqual(["edge", "mailpit", "postgres", "redis", "worker"])
    for (const [name, s] of Object.entries(doc.services)) {
      expect(s.init).toBe(true)
      expect(s.networks).toEqual(["devrig"])
      expect(s.labels).toEqual({ "devrig.config": "/src/shop/devrig.toml", "devrig.project": "shop-0badf00d", "devrig.service": name })
    }
    expect(doc.networks).toEqual({
      devrig: { name: "devrig-shop-0badf00d-net", labels: { "devrig.config": "/src/shop/devrig.toml", "devrig.project": "shop-0badf00d" } },
    })
  })

  test("images, ports with bind address, env with $ escaped, volumes and binds", () => {
    const pg = doc.services.postgres!
    expect(pg.image).toBe("postgres:16")
    expect(pg.ports).toEqual(["127.0.0.1:5432:5432/tcp"])
    expect(pg.environment).toEqual({ POSTGRES_PASSWORD: "pa$$$$word", POSTGRES_USER: "shop" })
    expect(pg.volumes).toEqual(["pgdata:/var/lib/postgresql/data", "/src/shop/sql:/docker-entrypoint-initdb.d:ro"])
    expect(doc.volumes).toEqual({
      pgdata: { name: "devrig-shop-0badf00d-pgdata", labels: { "devrig.config": "/src/shop/devrig.toml", "devrig.project": "shop-0badf00d" } },
    })
    expect(doc.services.redis!.ports).toEqual(["127.0.0.1:16379:6379/tcp"])
    expect(doc.services.mailpit!.ports).toEqual(["0.0.0.0:1025:1025/tcp", "0.0.0.0:8025:8025/tcp"])
    expect(doc.services.redis!.stop_grace_period).toBe("3s")
  })

  test("command, entrypoint, user, pull policy", () => {
    const w = doc.services.worker!
    expect(w.command).toEqual(["sh", "-c", "echo $$HOME"])
    expect(w.entrypoint).toEqual(["/bin/env"])
    expect(w.user).toBe("1000:1000")
    expect(w.pull_policy).toBe("always")
    expect(doc.services.postgres!.pull_policy).toBeUndefined()
  })

  test("ready checks become healthchecks", () => {
    const hc = (s: string) => doc.services[s]!.healthcheck as { test: string[]; interval: string; timeout: string; retries: number }
    expect(hc("postgres")).toEqual({ test: ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U shop"], interval: "1s", timeout: "5s", retries: 30 })
    expect(hc("redis").test).toEqual(["CMD-SHELL", "(redis-cli ping) 2>&1 | grep -qF -- PONG"])
    expect(hc("redis").retries).toBe(10)
    const http = hc("mailpit").test[1]!
    expect(http).toStartWith("wget -q -O /dev/null http://127.0.0.1:8025/api/v1/info 2>/dev/null || curl -fsS -o /dev/null http://127.0.0.1:8025/api/v1/info")
    expect(http).toContain("/dev/tcp/127.0.0.1/8025")
    // tcp: the host port 18080 is published from container port 80, which is what answers inside.
    expect(hc("edge").test[1]).toStartWith("nc -z 127.0.0.1 80 2>/dev/null || nc -w 1 127.0.0.1 80")
    expect(doc.services.worker!.healthcheck).toBeUndefined()
    expect(text).toContain(`    # ready_check not exported: log ready check (match "ready") has no Compose healthcheck equivalent`)
    expect(text).toContain("    # init not exported: 1 script(s) devrig runs once after the first ready check; run them by hand")
  })

  test("depends_on waits for health where the dependency has a healthcheck", () => {
    expect(doc.services.mailpit!.depends_on).toEqual({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } })
    expect(text).toContain("    # depends_on not exported (not containers): api")
    expect(doc.services.worker!.depends_on).toEqual({ mailpit: { condition: "service_healthy" } })
    expect(doc.services.edge!.depends_on).toEqual({ worker: { condition: "service_started" } })
  })

  test("keys YAML 1.1 would misread are quoted", () => {
    const t = renderCompose({ identity: ident, containers: [container("on", { env: { "1": "a", yes: "b", OK: "c" } })] })
    expect(t).toContain(`  "on":\n`)
    expect(t).toContain(`      "1": "a"\n`)
    expect(t).toContain(`      "yes": "b"\n`)
    expect(t).toContain(`      OK: "c"\n`)
    expect(Object.keys(parse(t).services)).toEqual(["on"])
  })

  test("a port without container_port takes the image's exposed port, or fails", () => {
    const c = container("x", { port: { host: 9000, container: 0, protocol: "tcp", auto: false } })
    expect(parse(renderCompose({ identity: ident, containers: [c], exposedPort: () => 80 })).services.x!.ports).toEqual(["127.0.0.1:9000:80/tcp"])
    expect(() => renderCompose({ identity: ident, containers: [c] })).toThrow(InputError)
  })
})
