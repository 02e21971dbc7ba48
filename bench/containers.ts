// A 3-container stack with ready checks — busybox httpd, postgres, redis — brought up and torn
// down by devrig (`start -d`, which returns once every ready check passed, then `delete`) and
// by docker-compose v1 (`up -d`, a shell loop polling the same three checks, then `down -v`),
// alternating, side by side in one run. Ratio = devrig median / compose median; target ≤ 1.0.
//   bun bench/containers.ts [rounds=3]      (build dist/devrig first; needs docker-compose)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

const ROUNDS = Number(process.argv[2] ?? 3)
const TARGET = 1.0
const BIN = join(import.meta.dir, "..", "dist", "devrig")
const IMAGES = { busybox: "devrig-test/busybox:latest", postgres: "devrig-test/postgres:16", redis: "devrig-test/redis:7" }

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer()
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })

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

async function composeRound(): Promise<{ up: number; down: number }> {
  const dir = mkdtempSync(join(tmpdir(), "devrig-bench-cc-"))
  const [web, pg, redis] = [await freePort(), await freePort(), await freePort()]
  const project = `benchcc${process.pid}`
  writeFileSync(
    join(dir, "docker-compose.yml"),
    `version: "3.8"
services:
  web:
    image: ${IMAGES.busybox}
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
    init: true
    ports: ["127.0.0.1:${web}:8080"]
  postgres:
    image: ${IMAGES.postgres}
    init: true
    environment: { POSTGRES_USER: bench, POSTGRES_PASSWORD: bench }
    ports: ["127.0.0.1:${pg}:5432"]
  redis:
    image: ${IMAGES.redis}
    init: true
    ports: ["127.0.0.1:${redis}:6379"]
`,
  )
  // the same three checks devrig runs, polled every 100 ms until all pass
  writeFileSync(
    join(dir, "ready.sh"),
    `set -u
c() { echo "${project}_$1_1"; }
until docker exec "$(c web)" wget -q -O /dev/null http://127.0.0.1:8080/ 2>/dev/null; do sleep 0.1; done
until docker exec "$(c postgres)" pg_isready -U bench -h 127.0.0.1 >/dev/null 2>&1; do sleep 0.1; done
until docker exec "$(c redis)" redis-cli ping 2>/dev/null | grep -q PONG; do sleep 0.1; done
`,
  )
  try {
    const t = performance.now()
    const up = run(["docker-compose", "-p", project, "up", "-d"], dir)
    if (up.code !== 0) throw new Error(`docker-compose up failed:\n${up.out}`)
    const ready = run(["bash", "ready.sh"], dir)
    if (ready.code !== 0) throw new Error(`readiness loop failed:\n${ready.out}`)
    const upMs = performance.now() - t
    const down = run(["docker-compose", "-p", project, "down", "-v"], dir)
    if (down.code !== 0) throw new Error(`docker-compose down failed:\n${down.out}`)
    return { up: upMs, down: down.ms }
  } finally {
    run(["docker-compose", "-p", project, "down", "-v"], dir)
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
const dt = row("devrig", d)
const ct = row("docker-compose", c)
const ratio = dt / ct
console.log(`ratio devrig/compose ${ratio.toFixed(2)} (target ≤ ${TARGET})`)
process.exit(ratio <= TARGET ? 0 : 1)
