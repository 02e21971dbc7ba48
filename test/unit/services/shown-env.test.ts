// Secrets stay masked where an environment is shown: a password from an env_file never appears
// in clear inside a discovery URL (devrig env, /api/env, the dashboard, crash-report diffs).
import { expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inspectConfig, resolveWithPorts } from "../../../src/config/load.ts"
import { buildCrashReport } from "../../../src/services/crash-report.ts"
import { devrigEnv, shownEnv } from "../../../src/services/env.ts"

const dir = mkdtempSync(join(tmpdir(), "devrig-shown-env-"))
const path = join(dir, "devrig.toml")
const PASSWORD = "pw-9f3a1c77"
writeFileSync(join(dir, ".env.db"), `DB_PASSWORD=${PASSWORD}\n`)

function resolved(password = "${DB_PASSWORD}") {
  const text = `[project]\nname = "m"\n[services.api]\ncommand = "serve"\n[docker.postgres]\nimage = "postgres:16"\nport = 5432\nenv_file = ".env.db"\nenv = { POSTGRES_USER = "app", POSTGRES_PASSWORD = "${password}" }\n`
  writeFileSync(path, text)
  const { loaded, problems } = inspectConfig(path, text)
  expect(problems).toEqual([])
  return resolveWithPorts(loaded!, { "docker.postgres": 5432 })
}

test("DEVRIG_<NAME>_URL masks a password that came from an env file; showSecrets and the process get it", () => {
  const cfg = resolved()
  const api = cfg.services.api!
  expect(shownEnv(cfg, api).DEVRIG_POSTGRES_URL).toBe("postgres://app:****@localhost:5432")
  expect(JSON.stringify(shownEnv(cfg, api))).not.toContain(PASSWORD)
  expect(shownEnv(cfg, api, {}, true).DEVRIG_POSTGRES_URL).toBe(`postgres://app:${PASSWORD}@localhost:5432`)
  expect(devrigEnv(cfg, api).DEVRIG_POSTGRES_URL).toBe(`postgres://app:${PASSWORD}@localhost:5432`)
})

test("a password written in devrig.toml itself is not a secret and stays visible", () => {
  const cfg = resolved("plain-pw")
  expect(shownEnv(cfg, cfg.services.api!).DEVRIG_POSTGRES_URL).toBe("postgres://app:plain-pw@localhost:5432")
})

test("crash-report diffs show the masked URL when the secret changed", () => {
  const cfg = resolved()
  const api = cfg.services.api!
  const before = { command: "serve", env: devrigEnv(cfg, api), shown: shownEnv(cfg, api) }
  writeFileSync(join(dir, ".env.db"), `DB_PASSWORD=${PASSWORD}-rotated\n`)
  const cfg2 = resolved()
  const after = { command: "serve", env: devrigEnv(cfg2, api), shown: shownEnv(cfg2, api) }
  writeFileSync(join(dir, ".env.db"), `DB_PASSWORD=${PASSWORD}\n`)
  const r = buildCrashReport({ service: "api", exitCode: 1, signal: null, restarts: 0, lines: [], lastGood: before, current: after, secretKeys: api.secretKeys })
  expect(r.changes).toEqual(["DEVRIG_POSTGRES_URL: postgres://app:****@localhost:5432 → postgres://app:****@localhost:5432"])
  expect(JSON.stringify(r)).not.toContain(PASSWORD)
})
