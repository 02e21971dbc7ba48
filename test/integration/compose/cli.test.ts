// [compose] through the compiled binary: `devrig start -d --no-traefik --verbose` brings the stack
// up under devrig's supervisor, a compose service gates a devrig service (depends_on + ready
// check) and is discovered through DEVRIG_<NAME>_PORT, the contract's flags reach Compose
// unchanged, `stop` stops, `delete` removes containers, volumes and networks.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test"
import { listContainers } from "../../../src/docker/containers.ts"
import { killLeftovers, project, stop, waitFor } from "../../helpers/proc-fixtures.ts"
import { ensureImages, leftovers } from "./helpers.ts"
import { identity } from "../../../src/project/identity.ts"
import { join } from "node:path"

setDefaultTimeout(120_000)
beforeAll(ensureImages)
afterAll(killLeftovers)

const COMPOSE = `services:
  web:
    image: devrig-test/busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo hello-compose > /www/index.html && echo web-listening && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
    volumes: ["webdata:/data"]
    init: true
  traefik:
    image: devrig-test/busybox:latest
    command: ["sleep", "600"]
    init: true
volumes:
  webdata: {}
`

const CONFIG = `
[compose]
file = "docker-compose.yml"

[compose.ready_checks]
web = { type = "cmd", command = "wget -qO- http://127.0.0.1:8080/", expect = "hello-compose" }

[services.app]
command = "echo WEB_PORT=$DEVRIG_WEB_PORT; sleep 600"
depends_on = ["web"]
`

const composeProject = (slug: string) => `devrig-${slug}`

test("start -d --no-traefik --verbose: compose gates and is discovered; stop stops; delete removes everything", async () => {
  const p = project("cmpcli", CONFIG, { files: { "docker-compose.yml": COMPOSE } })
  const ident = identity("cmpcli", join(p.dir, "devrig.toml"))
  try {
    const r = await p.run(["start", "-d", "--no-traefik", "--verbose"])
    expect(r.exitCode, r.stderr + p.read(".devrig/supervisor.log")).toBe(0)

    // --verbose: the exact command line, directory and file, through devrig's logger
    const log = p.read(".devrig/supervisor.log")
    expect(log).toMatch(/compose: command: .*-p devrig-cmpcli-[0-9a-f]{8} -f \S+docker-compose\.yml up -d --scale traefik=0/)
    expect(log).toContain(`compose: directory: ${p.dir}`)
    expect(log).toContain(`compose: file: ${join(p.dir, "docker-compose.yml")}`)

    // --no-traefik: no traefik container at all
    const running = await listContainers({ label: [`com.docker.compose.project=${composeProject(p.slug)}`] })
    expect(running.filter((c) => c.labels["com.docker.compose.service"] === "traefik")).toEqual([])
    expect(running.filter((c) => c.labels["com.docker.compose.service"] === "web" && c.state === "running").length).toBe(1)

    // depends_on gated app on web's ready check; app got web's published port
    const app = await p.waitState("app", "running")
    expect(app.kind).toBe("service")
    const line = await waitFor(() => p.read(".devrig/logs/app.log").match(/WEB_PORT=(\d+)/), "app to print WEB_PORT")
    const port = Number(line[1])
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain("hello-compose")
    expect((await p.component("web")).state).toBe("ready")
    expect((await p.run(["env", "app", "DEVRIG_WEB_PORT"])).stdout.trim()).toBe(String(port))

    // stop: the supervisor goes, compose containers stop but stay (fast restart)
    await stop(p)
    const stopped = await listContainers({ label: [`com.docker.compose.project=${composeProject(p.slug)}`] })
    expect(stopped.length).toBeGreaterThan(0)
    expect(stopped.every((c) => c.state !== "running")).toBe(true)

    // delete: `down -v --remove-orphans` plus the devrig network
    const d = await p.run(["delete"])
    expect(d.exitCode, d.stderr).toBe(0)
    expect(await leftovers(ident)).toEqual({ containers: [], volumes: [], networks: [] })
  } finally {
    await p.run(["delete"])
  }
})

test("foreground start, then SIGINT: Compose is signalled, the stack is taken down, devrig exits 0", async () => {
  const p = project("cmpfg", CONFIG, { files: { "docker-compose.yml": COMPOSE } })
  const ident = identity("cmpfg", join(p.dir, "devrig.toml"))
  try {
    const proc = Bun.spawn([join(import.meta.dir, "..", "..", "..", "dist", "devrig"), "start", "--no-traefik"], {
      cwd: p.dir,
      env: { ...process.env, ...p.env },
      stdout: "pipe",
      stderr: "pipe",
    })
    let out = ""
    void (async () => {
      for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk)
    })()
    await waitFor(() => out.includes("Press Ctrl+C"), "the startup summary", 90_000)
    expect(out).toMatch(/compose \S .*Attaching to/) // Compose's own output, in the unified log
    expect(out).toMatch(/web\s+\| web-listening/) // the service's output, attributed to it
    proc.kill("SIGINT")
    expect(await proc.exited).toBe(0)
    const left = await listContainers({ label: [`com.docker.compose.project=${composeProject(p.slug)}`] })
    expect(left).toEqual([]) // `down` ran after the interruption
  } finally {
    await p.run(["delete"])
    expect(await leftovers(ident)).toEqual({ containers: [], volumes: [], networks: [] })
  }
})
