// The PRD's full annotated example (test/fixtures/prd-example.toml, copied verbatim) is valid.
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { devrig, ROOT, tempProject } from "../../helpers/cli.ts"

const EXAMPLE = readFileSync(join(ROOT, "test", "fixtures", "prd-example.toml"), "utf8")

describe("PRD example", () => {
  test("validates with exit 0 and the plan the PRD describes", async () => {
    const p = tempProject(EXAMPLE)
    const r = await devrig(["validate"], { cwd: p.dir })
    expect(r.stderr).toBe("")
    expect(r.exitCode).toBe(0)
    // api is deployed into the cluster ([cluster.deploy.api]), so two local services remain.
    expect(r.stdout).toMatch(/devrig\.toml is valid: 2 services, 3 containers, cluster myapp-dev, dashboard :4000 \(project myapp-[0-9a-f]{8}\)/)
    expect(r.stdout).toContain("1. mailpit, postgres, redis\n    2. api, worker\n    3. web")
    expect(r.stdout).toContain("web: VITE_API_URL=http://localhost:3000")
    expect(r.stdout).toContain("worker: DATABASE_URL=postgres://devrig:devrig@localhost:5432/myapp")
  })

  test("--json resolves auto ports and templates", async () => {
    const p = tempProject(EXAMPLE)
    const r = await devrig(["validate", "--json"], { cwd: p.dir })
    expect(r.exitCode).toBe(0)
    const cfg = JSON.parse(r.stdout)
    expect(cfg.services.worker.autoPort).toBe(true)
    expect(cfg.services.worker.port).toBeGreaterThanOrEqual(10000)
    expect(cfg.docker.redis.port.auto).toBe(true)
    expect(cfg.docker.mailpit.ports.smtp.host).toBe(1025)
    expect(cfg.docker.postgres.volumes[0].source).toBe(`devrig-${cfg.identity.slug}-pgdata`)
    expect(cfg.cluster.k3dName).toBe(`devrig-${cfg.identity.slug}`)
    expect(cfg.dashboard).toMatchObject({ port: 4000, grpcPort: 4317, httpPort: 4318, retentionMs: 3_600_000 })
  })
})
