// A 3-container stack with ready checks — busybox httpd, postgres, redis — brought up and torn
// down by devrig (`start -d`, which returns once every ready check passed, then `delete`) and by
// Compose on its fastest fair path (the same three checks as healthchecks; `up -d --wait` with
// Compose v2, else v1's `up -d` with the health states polled once per check interval; then
// `down -v`), alternating, side by side in one run. The path used is printed.
// Ratio = devrig median / compose median; target ≤ 1.0; exit 1 when missed.
//   bun bench/containers.ts [rounds=3] [--interval 250]   (build dist/devrig first)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./free-port.ts"

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : dflt
}
const ROUNDS = Number(/^\d+$/.test(process.argv[2] ?? "") ? process.argv[2] : arg("rounds", "3"))
const TARGET = 1.0
const BIN = join(import.meta.dir, "..", "dist", "devrig")
const IMAGES = { busybox: "devrig-test/busybox:latest", postgres: "devrig-test/postgres:16", redis: "devrig-test/redis:7" }


function run(argv: string[], cwd: string, env: Record<string, string> = {}): { ms: number; code: number; out: string } {
  const t = performance.now()
  const r = Bun.spawnSync(argv, { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdout: "pipe", stderr: "pipe" })
  return { ms: performance.now() - t, code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() }
}

async function devrigRound(): Promise<{ up: number; down: number }> {
  const dir = mkdtempSync(join(tmpdir(), "devrig-bench-ct-"))
  const [web, pg, redis] = [await freePort(), await freePort(), await freePort()]
  writeFileSync(
    join(dir, "devrig.toml"),
    `[project]
name = "benchct"

[docker.web]
image = "${IMAGES.busybox}"
command = ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
port = ${web}
container_port = 8080
ready_check = { type = "cmd", command = "wget -q -O /dev/null http://127.0.0.1:8080/" }

[docker.postgres]
image = "${IMAGES.postgres}"
port = ${pg}
env = { POSTGRES_USER = "bench", POSTGRES_PASSWORD = "bench" }
ready_check = { type = "pg_isready" }

[docker.redis]
image = "${IMAGES.redis}"
port = ${redis}
ready_check = { type = "cmd", command = "redis-cli ping", expect = "PONG" }
`,
  )
  const env = { XDG_STATE_HOME: join(dir, "state") }
  try {
    const up = run([BIN, "start", "-d"], dir, env)
    if (up.code !== 0) throw new Error(`devrig start -d failed:\n${up.out}`)
    const down = run([BIN, "delete"], dir, env)
    if (down.code !== 0) throw new Error(`devrig delete failed:\n${down.out}`)
    return { up: up.ms, down: down.ms }
  } finally {
    run([BIN, "delete"], dir, env) // after a failure too: a failed start leaves stopped containers
    rmSync(dir, { recursive: true, force: true })
  }
}

// The fastest fair Compose path available: v2 (`docker compose`) brings the stack up with
// healthchecks and `up -d --wait`; v1 has no --wait, so the same healthchecks are polled (one
// Docker API read of the three health states per check interval) after `up -d`.
const INTERVAL_MS = Number(arg("interval", "250"))
const v2 = Bun.spawnSync(["docker", "compose", "version", "--short"], { stdout: "pipe", stderr: "pipe" })
const v1 = Bun.spawnSync(["docker-compose", "version", "--short"], { stdout: "pipe", stderr: "pipe" })
const COMPOSE = v2.exitCode === 0 ? { argv: ["docker", "compose"], version: `v2 ${v2.stdout.toString().trim()}`, wait: true } : v1.exitCode === 0 ? { argv: ["docker-compose"], version: `v1 ${v1.stdout.toString().trim()}`, wait: false } : undefined
if (!COMPOSE) {
  console.error("neither `docker compose` (v2) nor `docker-compose` (v1) is installed")
  process.exit(1)
}
const composePath = COMPOSE.wait
  ? `Compose ${COMPOSE.version}: healthchecks every ${INTERVAL_MS} ms + \`up -d --wait\`, then \`down -v\``
  : `Compose ${COMPOSE.version} (v2 is not installed): healthchecks every ${INTERVAL_MS} ms, \`up -d\`, the three health states polled once per interval through the Docker API, then \`down -v\``

async function healthy(names: string[]): Promise<boolean> {
  const states = await Promise.all(
    names.map(async (n) => {
      const r = await fetch(`http://docker/containers/${n}/json`, { unix: "/var/run/docker.sock" } as RequestInit)
      return r.ok ? ((await r.json()) as { State: { Health?: { Status: string } } }).State.Health?.Status : undefined
    }),
  )
  return states.every((s) => s === "healthy")
}

async function composeRound(): Promise<{ up: number; down: number }> {
  const dir = mkdtempSync(join(tmpdir(), "devrig-bench-cc-"))
  const [web, pg, redis] = [await freePort(), await freePort(), await freePort()]
  const project = `benchcc${process.pid}`
  // the same three checks devrig runs, as Compose healthchecks
  const hc = (test: string) => `    healthcheck: { test: ["CMD-SHELL", ${JSON.stringify(test)}], interval: ${INTERVAL_MS}ms, timeout: 5s, retries: 600 }`
  writeFileSync(
    join(dir, "docker-compose.yml"),
    `version: "3.8"
services:
  web:
    image: ${IMAGES.busybox}
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
    init: true
    ports: ["127.0.0.1:${web}:8080"]
${hc("wget -q -O /dev/null http://127.0.0.1:8080/")}
  postgres:
    image: ${IMAGES.postgres}
    init: true
    environment: { POSTGRES_USER: bench, POSTGRES_PASSWORD: bench }
    ports: ["127.0.0.1:${pg}:5432"]
${hc("pg_isready -U bench -h 127.0.0.1")}
  redis:
    image: ${IMAGES.redis}
    init: true
    ports: ["127.0.0.1:${redis}:6379"]
${hc("redis-cli ping | grep -q PONG")}
`,
  )
  const containers = ["web", "postgres", "redis"].map((s) => `${project}_${s}_1`)
  try {
    const t = performance.now()
    const up = run([...COMPOSE!.argv, "-p", project, "up", "-d", ...(COMPOSE!.wait ? ["--wait"] : [])], dir)
    if (up.code !== 0) throw new Error(`compose up failed:\n${up.out}`)
    if (!COMPOSE!.wait) {
      const deadline = Date.now() + 120_000
      while (!(await healthy(containers))) {
        if (Date.now() > deadline) throw new Error("compose stack not healthy within 120 s")
        await Bun.sleep(INTERVAL_MS)
      }
    }
    const upMs = performance.now() - t
    const down = run([...COMPOSE!.argv, "-p", project, "down", "-v"], dir)
    if (down.code !== 0) throw new Error(`compose down failed:\n${down.out}`)
    return { up: upMs, down: down.ms }
  } finally {
    run([...COMPOSE!.argv, "-p", project, "down", "-v"], dir)
    rmSync(dir, { recursive: true, force: true })
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const d: { up: number; down: number }[] = []
const c: { up: number; down: number }[] = []
await devrigRound() // warm-up: page cache, image layers
await composeRound()
for (let i = 0; i < ROUNDS; i++) {
  d.push(await devrigRound())
  c.push(await composeRound())
}
const row = (name: string, xs: { up: number; down: number }[]) => {
  const up = median(xs.map((x) => x.up))
  const down = median(xs.map((x) => x.down))
  console.log(`${name.padEnd(16)} up+ready ${(up / 1000).toFixed(2).padStart(6)} s   down ${(down / 1000).toFixed(2).padStart(6)} s   total ${((up + down) / 1000).toFixed(2).padStart(6)} s`)
  return up + down
}
console.log(`3 containers (httpd, postgres, redis) with ready checks, median of ${ROUNDS} alternating rounds`)
console.log(`compose path: ${composePath}`)
const dt = row("devrig", d)
const ct = row(COMPOSE.wait ? "docker compose" : "docker-compose", c)
const ratio = dt / ct
console.log(`ratio devrig/compose ${ratio.toFixed(2)} (target ≤ ${TARGET}) ${ratio <= TARGET ? "✓" : "✗"}`)
process.exit(ratio <= TARGET ? 0 : 1)
