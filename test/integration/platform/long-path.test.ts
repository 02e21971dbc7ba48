// A 200-character project path: `.devrig/control.sock` would be ~220 bytes, past the 104-byte
// socket limit of macOS (Linux allows 108). devrig binds the control socket under a short
// per-user dir instead, leaves a pointer in .devrig, and start -d / ps / stop work as anywhere.
import { afterAll, expect, test } from "bun:test"
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { devrig, tempProject } from "../../helpers/cli.ts"
import { assertNoProcesses, assertPortFree, freePort, httpStatus, killLeftovers, slugFor, waitFor } from "../../helpers/proc-fixtures.ts"

afterAll(killLeftovers)

test("start -d, ps and stop work in a 200-character project path; the socket path stays within 103 bytes", async () => {
  const base = tempProject().dir
  let dir = base
  while (dir.length < 200) dir = join(dir, "x".repeat(Math.min(60, 199 - dir.length)))
  expect(dir.length).toBe(200)
  mkdirSync(dir, { recursive: true })
  const port = await freePort()
  const config = join(dir, "devrig.toml")
  writeFileSync(config, `[project]\nname = "long"\n\n[services.web]\ncommand = "exec python3 -m http.server $PORT --bind 127.0.0.1"\nport = ${port}\n`)
  const slug = slugFor("long", config)
  const env = { XDG_STATE_HOME: join(base, "state"), NO_COLOR: "1" }
  const run = (args: string[]) => devrig(args, { cwd: dir, env })

  const up = await run(["start", "-d"])
  expect(up.exitCode, up.stdout + up.stderr).toBe(0)
  await waitFor(async () => (await httpStatus(port)) === 200, "web to answer")

  const pointer = join(dir, ".devrig", "control.sock.path")
  expect(existsSync(join(dir, ".devrig", "control.sock"))).toBe(false)
  const socket = readFileSync(pointer, "utf8").trim()
  expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(103)
  expect(statSync(socket).isSocket()).toBe(true)
  expect(JSON.parse(readFileSync(join(dir, ".devrig", "state.json"), "utf8")).supervisor.socket).toBe(socket)

  const ps = await run(["ps", "--json"])
  expect(ps.exitCode, ps.stderr).toBe(0)
  const status = JSON.parse(ps.stdout) as { running: boolean; components: { name: string; state: string; pid?: number }[] }
  expect(status.running).toBe(true)
  expect(status.components.find((c) => c.name === "web")).toMatchObject({ state: "running", pid: expect.any(Number) })
  // `stop web` goes through the control socket (no supervisor answers → it would fail to reach one)
  const stopWeb = await run(["stop", "web"])
  expect(stopWeb.exitCode, stopWeb.stderr).toBe(0)
  expect((JSON.parse((await run(["ps", "--json"])).stdout) as typeof status).components.find((c) => c.name === "web")?.state).toBe("stopped")

  const down = await run(["stop"])
  expect(down.exitCode, down.stderr).toBe(0)
  expect(existsSync(socket)).toBe(false)
  expect(existsSync(pointer)).toBe(false)
  assertNoProcesses(slug)
  await assertPortFree(port)
}, 60_000)
