// The Compose contract's exit codes through the compiled binary, for the failures (0 is proved in
// cli.test.ts): a missing compose file is 2 with "compose file not found at <path>", a failing
// `docker compose up` is 2 with Compose's reason, an absent Compose is 2 with the contract's
// message, a bad flag is 1 — in the foreground and with -d, and nothing is left running.
//
// Exit code 3 (an internal invariant broken) has no honest trigger from outside: every failure a
// user can cause is an input or external error by design, so it is not provoked here; the mapping
// of unexpected errors to 3 lives in src/cli/dispatch.ts (report()).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { listContainers } from "../../../src/docker/containers.ts"
import { freePort } from "../../helpers/ports.ts"
import { assertNoProcesses, isAlive, killLeftovers, project, type Project } from "../../helpers/proc-fixtures.ts"
import { ensureImages } from "./helpers.ts"

setDefaultTimeout(120_000)
beforeAll(ensureImages)
const made: Project[] = []
afterAll(async () => {
  for (const p of made) await p.run(["delete"]).catch(() => {})
  killLeftovers()
})

const composeContainers = async (p: Project, all = true) => listContainers({ label: [`com.docker.compose.project=devrig-${p.slug}`] }, all)

/** After a failed start: no supervisor, no process of the project, no running container. */
async function nothingRunning(p: Project): Promise<void> {
  expect(isAlive(p.supervisorPid())).toBe(false)
  assertNoProcesses(p.slug)
  expect((await composeContainers(p, false)).map((c) => c.name)).toEqual([])
}

const modes = [["start", "-d"], ["start"]] as const

test("a missing compose file: exit 2, `compose file not found at <path>`, nothing started", async () => {
  const p = project("cmpmissing", `[compose]\nfile = "compose/nope.yml"\n\n[services.app]\ncommand = "sleep 600"\n`)
  made.push(p)
  for (const argv of modes) {
    const r = await p.run([...argv])
    expect(r.exitCode, `${argv.join(" ")}: ${r.stderr}`).toBe(2)
    expect(r.stderr.split("\n")[0]).toBe(`✗ compose: compose file not found at ${join(p.dir, "compose", "nope.yml")}`)
    await nothingRunning(p)
  }
})

test("`docker compose up` failing (its host port is taken): exit 2 with Compose's reason, nothing left running", async () => {
  const port = await freePort()
  const holder = Bun.spawn(["python3", "-c", `import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",${port}))\ns.listen()\nprint("bound",flush=True)\ntime.sleep(600)`], { stdout: "pipe", stderr: "inherit" })
  await holder.stdout.getReader().read()
  const compose = `services:\n  web:\n    image: devrig-test/busybox:latest\n    command: ["sleep", "600"]\n    init: true\n    ports: ["127.0.0.1:${port}:8080"]\n`
  const p = project("cmpupfail", `[compose]\nfile = "docker-compose.yml"\n`, { files: { "docker-compose.yml": compose } })
  made.push(p)
  try {
    for (const argv of modes) {
      const r = await p.run([...argv])
      expect(r.exitCode, `${argv.join(" ")}: ${r.stdout}\n${r.stderr}`).toBe(2)
      expect(r.stderr).toMatch(/^✗ compose: /m)
      expect(r.stderr).toMatch(new RegExp(`${port}.*(already allocated|already in use)|(already allocated|already in use).*${port}`))
      await nothingRunning(p)
    }
  } finally {
    holder.kill("SIGKILL")
    await holder.exited
  }
  const d = await p.run(["delete"])
  expect(d.exitCode, d.stderr).toBe(0)
  expect(await composeContainers(p)).toEqual([])
})

test("Compose not installed: exit 2 with the contract's message", async () => {
  const p = project("cmpnotool", `[compose]\nfile = "docker-compose.yml"\n`, { files: { "docker-compose.yml": "services:\n  web:\n    image: devrig-test/busybox:latest\n" } })
  made.push(p)
  const emptyBin = join(p.dir, "empty-bin")
  mkdirSync(emptyBin)
  for (const argv of modes) {
    const r = await p.run([...argv], { env: { PATH: emptyBin } })
    expect(r.exitCode, r.stderr).toBe(2)
    expect(r.stderr.split("\n")[0]).toBe("✗ compose: docker compose not available; please install Docker and Docker Compose")
    await nothingRunning(p)
  }
})

test("a bad flag: exit 1 before Compose runs", async () => {
  const p = project("cmpbadflag", `[compose]\nfile = "docker-compose.yml"\n`, { files: { "docker-compose.yml": "services:\n  web:\n    image: devrig-test/busybox:latest\n" } })
  made.push(p)
  for (const [argv, first] of [
    [["start", "-d", "--bogus"], "✗ unknown option `--bogus` for devrig start"],
    [["start", "--no-traefik=perhaps"], "✗ `--no-traefik` takes no value (got `perhaps`)"],
    [["start", "-d", "--detach", "-z"], "✗ unknown option `-z` for devrig start"],
  ] as const) {
    const r = await p.run([...argv])
    expect(r.exitCode, `${argv.join(" ")}: ${r.stderr}`).toBe(1)
    expect(r.stderr.split("\n")[0]).toBe(first)
    await nothingRunning(p)
    expect(await composeContainers(p)).toEqual([])
  }
})
