import { afterEach, describe, expect, test } from "bun:test"
import { runCommand } from "citty"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import eject from "../../../src/cli/eject.ts"
import { globalOptions } from "../../../src/cli/context.ts"

const TOML = `[project]
name = "shop"

[docker.postgres]
image = "postgres:16"
port = 5432
container_port = 5432
env = { POSTGRES_PASSWORD = "secret" }
volumes = ["pgdata:/var/lib/postgresql/data"]
ready_check = { type = "pg_isready" }

[docker.redis]
image = "redis:7"
port = 6379
container_port = 6379
depends_on = ["postgres"]
`

function project(toml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "devrig-eject-cli-"))
  writeFileSync(join(dir, "devrig.toml"), toml)
  return dir
}

const quiet = async (f: () => Promise<unknown>) => {
  const write = process.stdout.write
  process.stdout.write = (() => true) as typeof process.stdout.write
  try {
    return await f()
  } finally {
    process.stdout.write = write
  }
}

afterEach(() => {
  globalOptions.file = undefined
})

describe("devrig eject", () => {
  test("writes .devrig/compose.yaml next to devrig.toml by default", async () => {
    const dir = project(TOML)
    globalOptions.file = join(dir, "devrig.toml")
    await quiet(() => runCommand(eject, { rawArgs: [] }))
    const doc = Bun.YAML.parse(readFileSync(join(dir, ".devrig", "compose.yaml"), "utf8")) as {
      services: Record<string, { image: string; ports: string[]; depends_on?: unknown }>
      volumes: Record<string, { name: string }>
    }
    expect(Object.keys(doc.services)).toEqual(["postgres", "redis"])
    expect(doc.services.postgres!.ports).toEqual(["127.0.0.1:5432:5432/tcp"])
    expect(doc.services.redis!.depends_on).toEqual({ postgres: { condition: "service_healthy" } })
    expect(Object.values(doc.volumes)[0]!.name).toMatch(/^devrig-shop-[0-9a-f]{8}-pgdata$/)
  })

  test("-o writes where asked, and the same config gives the same bytes", async () => {
    const dir = project(TOML)
    globalOptions.file = join(dir, "devrig.toml")
    const a = join(dir, "a.yaml")
    const b = join(dir, "out", "b.yaml")
    await quiet(() => runCommand(eject, { rawArgs: ["-o", a] }))
    await quiet(() => runCommand(eject, { rawArgs: ["--output", b] }))
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"))
    expect(existsSync(join(dir, ".devrig", "compose.yaml"))).toBe(false)
  })

  test("nothing to eject is an input error", async () => {
    const dir = project(`[project]\nname = "empty"\n`)
    globalOptions.file = join(dir, "devrig.toml")
    const err = await quiet(() => runCommand(eject, { rawArgs: [] })).catch((e: unknown) => e)
    expect(err).toMatchObject({ exitCode: 1, message: "eject: there are no [docker.*] blocks to eject" })
  })
})
