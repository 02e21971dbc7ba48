// Regression: an interrupt (Ctrl+C on a terminal, or SIGTERM) that arrives while `devrig start`
// is still starting left what was already started running — `docker-compose up` with its
// containers and network, containers whose ready check was pending, services — and printed
// "✓ Stopped" anyway. Whatever the phase, everything started so far must be gone (or, for
// [docker.*] containers, stopped) when devrig says "Stopped". The phase is known from devrig's
// own output (each component prints a line once its process runs), never from a sleep.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test"
import { request } from "../../../src/docker/client.ts"
import { listContainers } from "../../../src/docker/containers.ts"
import { LABEL_PROJECT, names } from "../../../src/project/identity.ts"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { BIN, assertNoProcesses, cmdline, killLeftovers, project, spawnDevrig, waitFor, type Project } from "../../helpers/proc-fixtures.ts"
import { spawnPty } from "../../helpers/pty.ts"
import { cleanupProjects } from "./helpers.ts"

setDefaultTimeout(120_000)
const made: Project[] = []
beforeAll(ensureTestImages, 300_000)
afterAll(async () => {
  killLeftovers()
  await cleanupProjects(made)
})

// Every phase has a component that prints a line as soon as it runs, then never becomes ready
// within the test: the interrupt lands while devrig waits for it.
const CONTAINER = `
[docker.db]
image = "${IMAGES.busybox}"
command = ["sh", "-c", "echo db-up; exec sleep 600"]
stop_timeout = "1s"
ready_check = { type = "cmd", command = "test -f /never", timeout = "90s" }
`
const COMPOSE_FILE = `services:
  web:
    image: ${IMAGES.busybox}
    init: true
    command: ["sh", "-c", "echo web-up; mkdir -p /www && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
  worker:
    image: ${IMAGES.busybox}
    init: true
    command: ["sh", "-c", "echo worker-up; exec sleep 3600"]
`
const COMPOSE = `
[compose]
file = "docker-compose.yml"
ready_checks = { worker = { type = "cmd", command = "test -f /never", timeout = "90s" } }
`
const SERVICE = `
[services.svc]
command = "echo svc-up; exec sleep 600"
ready_check = { type = "log", match = "never printed", timeout = "90s" }
`

const composeProject = (p: Project) => names.composeProject(p.slug)

async function running(p: Project): Promise<string[]> {
  const own = await listContainers({ label: [`${LABEL_PROJECT}=${p.slug}`] }, false)
  const compose = await listContainers({ label: [`com.docker.compose.project=${composeProject(p)}`] }, true)
  return [...own.map((c) => `${c.name} (running)`), ...compose.map((c) => `${c.name} (compose, ${c.state})`)]
}

async function composeNetworks(p: Project): Promise<string[]> {
  const nets = await request<{ Name: string }[]>({ method: "GET", path: "/networks", doing: "listing networks" })
  return nets.map((n) => n.Name).filter((n) => n.startsWith(`${composeProject(p)}_`))
}

function composeProcesses(p: Project): string[] {
  const out: string[] = []
  for (const e of require("node:fs").readdirSync("/proc") as string[]) {
    if (!/^\d+$/.test(e)) continue
    const c = cmdline(Number(e))
    if (c.includes(composeProject(p)) && !c.startsWith(BIN)) out.push(`${e}: ${c}`)
  }
  return out
}

async function assertAllGone(p: Project): Promise<void> {
  assertNoProcesses(p.slug)
  expect(composeProcesses(p), "docker-compose processes still running").toEqual([])
  expect(await running(p), "containers still running").toEqual([])
  expect(await composeNetworks(p), "compose networks left").toEqual([])
}

type Phase = { name: string; body: string; marker: RegExp; files?: Record<string, string> }
const PHASES: Record<string, Phase> = {
  containers: { name: "containers", body: CONTAINER + SERVICE, marker: /db\s+\| db-up/ },
  compose: { name: "compose", body: COMPOSE + SERVICE, marker: /web\s+\| web-up/, files: { "docker-compose.yml": COMPOSE_FILE } },
  services: { name: "services", body: CONTAINER.replace('"test -f /never", timeout = "90s"', '"true"') + COMPOSE.replace(/ready_checks.*\n/, "") + SERVICE, marker: /svc\s+\| svc-up/, files: { "docker-compose.yml": COMPOSE_FILE } },
}

for (const [phase, how] of [
  ["containers", "ctrl-c"],
  ["containers", "SIGTERM"],
  ["compose", "ctrl-c"],
  ["compose", "SIGTERM"],
  ["services", "ctrl-c"],
  ["services", "SIGINT"],
] as const) {
  test(`${how === "ctrl-c" ? "Ctrl+C on a terminal" : `${how} without a terminal`} during the ${phase} phase: everything started is gone, then "Stopped"`, async () => {
    const ph = PHASES[phase]!
    const p = project(`intr${phase.slice(0, 4)}${how.slice(-3).toLowerCase()}`, ph.body, { files: ph.files })
    made.push(p)
    let code: number
    let out: string
    if (how === "ctrl-c") {
      const run = spawnPty([BIN, "start"], { cwd: p.dir, env: p.env })
      try {
        await run.waitOutput(ph.marker, 60_000)
        expect(run.output()).not.toContain("Press Ctrl+C") // still starting
        run.ctrlC()
        code = await run.exited
      } finally {
        await run.kill()
      }
      out = run.output()
    } else {
      const run = spawnDevrig(p, ["start"])
      try {
        await run.waitOutput(ph.marker, 60_000)
        expect(run.output()).not.toContain("Press Ctrl+C")
        run.proc.kill(how)
        code = await run.exited
      } finally {
        run.proc.kill("SIGKILL")
      }
      out = run.output()
    }
    expect(out).toMatch(/✓ Stopped/)
    expect(code, out).toBe(0)
    await assertAllGone(p)
  })
}

test("Ctrl+C on a terminal once everything is up: processes, containers and the compose stack are gone, ports released", async () => {
  const p = project("intrup", CONTAINER.replace('"test -f /never", timeout = "90s"', '"true"') + COMPOSE.replace(/ready_checks.*\n/, "") + `\n[services.api]\ncommand = "exec python3 -m http.server $PORT"\nport = "auto"\n`, { files: { "docker-compose.yml": COMPOSE_FILE } })
  made.push(p)
  const run = spawnPty([BIN, "start"], { cwd: p.dir, env: p.env })
  let port: number
  try {
    await run.waitOutput(/Press Ctrl\+C/, 90_000)
    port = (await p.component("api")).port!
    expect(port).toBeNumber()
    run.ctrlC()
    expect(await run.exited).toBe(0)
  } finally {
    await run.kill()
  }
  expect(run.output()).toMatch(/✓ Stopped/)
  await assertAllGone(p)
  const { isPortFree } = await import("../../helpers/proc-fixtures.ts")
  expect(await isPortFree(port)).toBe(true)
  const r = await p.run(["delete"])
  expect(r.exitCode).toBe(0)
  expect(await listContainers({ label: [`${LABEL_PROJECT}=${p.slug}`] }, true)).toEqual([])
  const nets = await request<{ Name: string }[]>({ method: "GET", path: "/networks", query: { filters: { label: [`${LABEL_PROJECT}=${p.slug}`] } }, doing: "listing networks" })
  expect(nets.map((n) => n.Name)).toEqual([])
})

test("devrig stop while start -d is in its compose phase: stop returns once nothing runs; start -d exits 2", async () => {
  const p = project("intrdetach", COMPOSE + SERVICE, { files: { "docker-compose.yml": COMPOSE_FILE } })
  made.push(p)
  const start = spawnDevrig(p, ["start", "-d"])
  try {
    // `up -d` has started the containers; the worker's ready check keeps the start waiting
    await waitFor(async () => (await listContainers({ label: [`com.docker.compose.project=${composeProject(p)}`] }, false)).length === 2, "both compose containers to run", 60_000)
    expect(start.output()).not.toContain("Running in the background")
    const r = await p.run(["stop"])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain("Stopped")
    assertNoProcesses(p.slug)
    expect(composeProcesses(p)).toEqual([])
    expect(await listContainers({ label: [`com.docker.compose.project=${composeProject(p)}`] }, false)).toEqual([])
    expect(await start.exited).toBe(2)
  } finally {
    start.proc.kill("SIGKILL")
  }
})
