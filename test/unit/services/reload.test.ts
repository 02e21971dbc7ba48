// Hot reload's diff: what restarts, starts and stops for a given edit.
import { expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inspectConfig, resolveWithPorts } from "../../../src/config/load.ts"
import { describeDiff, diffConfigs } from "../../../src/services/reload.ts"

const path = join(mkdtempSync(join(tmpdir(), "devrig-reload-")), "devrig.toml")
writeFileSync(path, '[project]\nname = "r"\n')

function resolved(body: string, ports: Record<string, number> = {}) {
  const { loaded, problems } = inspectConfig(path, `[project]\nname = "r"\n${body}`)
  expect(problems).toEqual([])
  return resolveWithPorts(loaded!, ports)
}

const two = `
[services.api]
command = "serve"
port = 3000
[services.web]
command = "web"
`

test("an env change restarts only that service", () => {
  const d = diffConfigs(resolved(two, { "services.api": 3000 }), resolved(two.replace('command = "web"', 'command = "web"\nenv = { X = "1" }'), { "services.api": 3000 }))
  expect(d.services).toEqual({ added: [], removed: [], changed: ["web"] })
  expect(describeDiff(d)).toBe("restarted web")
})

test("a moved port restarts the service and everyone who reads DEVRIG_<NAME>_PORT", () => {
  const d = diffConfigs(resolved(two, { "services.api": 3000 }), resolved(two.replace("3000", "3001"), { "services.api": 3001 }))
  expect(d.services.changed).toEqual(["api", "web"])
})

test("adding or removing a service does not restart the others", () => {
  const d = diffConfigs(resolved(two, { "services.api": 3000 }), resolved(two + '\n[services.worker]\ncommand = "w"\n', { "services.api": 3000 }))
  expect(d.services).toEqual({ added: ["worker"], removed: [], changed: [] })
  const r = diffConfigs(resolved(two, { "services.api": 3000 }), resolved('[services.api]\ncommand = "serve"\nport = 3000\n', { "services.api": 3000 }))
  expect(r.services).toEqual({ added: [], removed: ["web"], changed: [] })
})

test("changes devrig cannot apply while running are named", () => {
  const d = diffConfigs(resolved(two, { "services.api": 3000 }), resolved(two + "\n[dashboard]\n", { "services.api": 3000 }))
  expect(d.needsRestart).toEqual(["[dashboard]"])
  expect(describeDiff(d)).toContain("restart devrig to apply")
})
