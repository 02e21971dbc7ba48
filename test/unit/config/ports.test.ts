// Auto ports: stable hash-derived candidates per slug + key, stored ports reused, fixed ports respected.
import { describe, expect, test } from "bun:test"
import { loadConfig } from "../../../src/config/load.ts"
import { assignPorts, assignPortsProbing, candidate, portRequests } from "../../../src/config/ports.ts"
import { DEFAULTS } from "../../../src/config/schema.ts"
import { emptyState } from "../../../src/project/state.ts"
import { tempProject } from "../../helpers/cli.ts"

const TOML = `[project]
name = "demo"

[services.api]
command = "x"
port = 3000

[services.worker]
command = "y"
port = "auto"

[docker.redis]
image = "redis"
port = "auto"

[docker.mail]
image = "mailpit"
ports = { smtp = 1025, ui = "auto:8025" }
`

const load = (toml = TOML) => loadConfig({ cwd: tempProject(toml).dir })

describe("candidate", () => {
  test("is stable for the same slug and key", () => {
    expect(candidate("app-12345678", "services.api", 0)).toBe(candidate("app-12345678", "services.api", 0))
  })

  test("differs across slugs (two checkouts) and across keys", () => {
    const a = candidate("app-11111111", "services.api", 0)
    expect(candidate("app-22222222", "services.api", 0)).not.toBe(a)
    expect(candidate("app-11111111", "services.web", 0)).not.toBe(a)
  })

  test("stays inside the auto range and walks on with n", () => {
    const seen = new Set<number>()
    for (let n = 0; n < 200; n++) {
      const p = candidate("app-12345678", "docker.redis", n)
      expect(p).toBeGreaterThanOrEqual(DEFAULTS.autoPortMin)
      expect(p).toBeLessThan(DEFAULTS.autoPortMax)
      seen.add(p)
    }
    expect(seen.size).toBe(200)
  })
})

describe("portRequests", () => {
  test("lists fixed and auto ports, named ports with their host part", () => {
    expect(portRequests(load())).toEqual([
      { key: "services.api", port: 3000 },
      { key: "services.worker", port: "auto" },
      { key: "docker.redis", port: "auto" },
      { key: "docker.mail.ports.smtp", port: 1025 },
      { key: "docker.mail.ports.ui", port: "auto" },
    ])
  })
})

describe("assignPorts (no probing)", () => {
  test("fixed ports as written; auto ports from their first candidate", () => {
    const loaded = load()
    const { ports, auto } = assignPorts(loaded, emptyState(), false)
    const slug = loaded.identity.slug
    expect(ports["services.api"]).toBe(3000)
    expect(ports["docker.mail.ports.smtp"]).toBe(1025)
    expect(ports["services.worker"]).toBe(candidate(slug, "services.worker", 0))
    expect(ports["docker.redis"]).toBe(candidate(slug, "docker.redis", 0))
    expect([...auto].sort()).toEqual(["docker.mail.ports.ui", "docker.redis", "services.worker"])
  })

  test("a port stored in state is reused", () => {
    const state = { ...emptyState(), autoPorts: { "docker.redis": 45123 } }
    expect(assignPorts(load(), state, false).ports["docker.redis"]).toBe(45123)
  })

  test("a stored port that is now someone's fixed port is not reused", () => {
    const loaded = load()
    const state = { ...emptyState(), autoPorts: { "docker.redis": 3000 } }
    expect(assignPorts(loaded, state, false).ports["docker.redis"]).toBe(candidate(loaded.identity.slug, "docker.redis", 0))
  })

  test("the same project gets the same ports every time; another checkout gets others", () => {
    const a = load()
    const again = assignPorts(a, emptyState(), false).ports
    expect(assignPorts(a, emptyState(), false).ports).toEqual(again)
    const b = load()
    expect(b.identity.slug).not.toBe(a.identity.slug)
    expect(assignPorts(b, emptyState(), false).ports["services.worker"]).not.toBe(again["services.worker"])
  })
})

describe("assignPortsProbing", () => {
  test("skips candidates that are taken", async () => {
    const loaded = load()
    const slug = loaded.identity.slug
    const busy = new Set([candidate(slug, "services.worker", 0), candidate(slug, "services.worker", 1)])
    const { ports } = await assignPortsProbing(loaded, emptyState(), async (p) => !busy.has(p))
    expect(ports["services.worker"]).toBe(candidate(slug, "services.worker", 2))
    expect(ports["services.api"]).toBe(3000)
  })

  test("keeps a stored port while it is free, moves when it is not", async () => {
    const loaded = load()
    const state = { ...emptyState(), autoPorts: { "docker.redis": 45999 } }
    expect((await assignPortsProbing(loaded, state, async () => true)).ports["docker.redis"]).toBe(45999)
    const moved = (await assignPortsProbing(loaded, state, async (p) => p !== 45999)).ports["docker.redis"]
    expect(moved).toBe(candidate(loaded.identity.slug, "docker.redis", 0))
  })

  test("two auto ports never get the same number", async () => {
    const loaded = load()
    const { ports } = await assignPortsProbing(loaded, emptyState(), async () => true)
    const values = Object.values(ports)
    expect(new Set(values).size).toBe(values.length)
  })

  test("fails when nothing is free", async () => {
    await expect(assignPortsProbing(load(), emptyState(), async () => false)).rejects.toThrow(/no free port found for services.worker/)
  })
})
