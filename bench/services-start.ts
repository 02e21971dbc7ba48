// What does the supervisor cost, and does a slow container hold anything up?
//  1. start-to-all-ready: `devrig start -d` of 20 services that each listen on a port (returns
//     once every port accepts connections) vs a plain shell script that starts the same 20
//     commands and polls their ports. Target ≤ 1.15×.
//  2. the idle supervisor: CPU over 60 s with the 20 running (target < 1 % of one core, from
//     /proc/<pid>/stat utime+stime) and its RSS; the watchdog's share is shown too.
//  3. mixed: 2 containers whose ready check passes only ~3 s after they start, next to 10
//     independent services (http servers) and one service that depends on a container. From
//     devrig's own lifecycle events (`devrig query logs --service devrig`): when the last
//     independent service was ready vs when the slowest container was ready, both from the first
//     start event. Target ≤ 0.5 (independent services ready long before the container).
// Each prints a `ratio` line; the exit code is 1 when any target is missed.
//   bun bench/services-start.ts [--runs 5] [--idle 60] [--server python|bun] [--only services|mixed]
// Build dist/devrig first (bun scripts/build.ts); the mixed bench needs Docker and the local test
// image devrig-test/busybox (scripts/test-images). Uses its own temp projects, ports and state.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : dflt
}
const N = 20
const RUNS = Number(arg("runs", "5"))
const IDLE_S = Number(arg("idle", "60"))
const SERVER = arg("server", "python")
const TARGET_RATIO = 1.15
const TARGET_CPU = 1 // % of one core
const TARGET_MIXED = 0.5
const ONLY = arg("only", "")
let missed = false
// DEVRIG_BIN: another build to compare with (e.g. one of an older commit)
const BIN = process.env.DEVRIG_BIN ?? join(import.meta.dir, "..", "dist", "devrig")
if (!existsSync(BIN)) {
  console.error(`${BIN} is missing: run bun scripts/build.ts first`)
  process.exit(1)
}

// The real interpreter, not a version-manager shim (pyenv's costs ~100 ms of bash per start and
// would dominate both sides of the comparison).
const python = Bun.spawnSync(["python3", "-c", "import sys; print(sys.executable)"]).stdout.toString().trim() || "python3"
const command = (port: number) =>
  SERVER === "bun" ? `exec ${process.execPath} -e 'Bun.serve({ port: ${port}, fetch: () => new Response("ok") })'` : `exec ${python} -m http.server ${port} --bind 127.0.0.1`

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen({ port: 0, host: "0.0.0.0", exclusive: true }, () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}
const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer()
    s.once("error", () => resolve(false))
    s.listen({ port, host: "0.0.0.0", exclusive: true }, () => s.close(() => resolve(true)))
  })
async function waitFree(ports: number[]) {
  const deadline = Date.now() + 15_000
  for (const p of ports) while (!(await isFree(p))) {
    if (Date.now() > deadline) throw new Error(`port ${p} still taken`)
    await Bun.sleep(20)
  }
}

const ports: number[] = []
while (ports.length < N) {
  const p = await freePort()
  if (!ports.includes(p)) ports.push(p)
}

const dir = mkdtempSync(join(tmpdir(), "devrig-bench-services-"))
const env = { ...process.env, XDG_STATE_HOME: join(dir, "state"), NO_COLOR: "1" }
writeFileSync(join(dir, "devrig.toml"), `[project]\nname = "bench"\n\n` + ports.map((p, i) => `[services.s${i}]\ncommand = "${command(p).replace(/"/g, '\\"')}"\nport = ${p}\n`).join("\n"))
// The baseline: start all 20 in the background, then wait until each port accepts a connection,
// polling every 50 ms like the supervisor does in a service's first seconds.
writeFileSync(
  join(dir, "plain.sh"),
  `#!/bin/bash\n${ports.map((p) => `${command(p)} >/dev/null 2>&1 &`).map((l) => l.replace(/^exec /, "")).join("\n")}\nfor p in ${ports.join(" ")}; do\n  until (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; do sleep 0.05; done\ndone\n`,
)

function devrig(args: string[]) {
  const r = Bun.spawnSync([BIN, ...args], { cwd: dir, env, stdout: "pipe", stderr: "pipe" })
  if (r.exitCode !== 0) throw new Error(`devrig ${args.join(" ")} exited ${r.exitCode}: ${r.stderr}`)
}

async function timeDevrig(): Promise<number> {
  await waitFree(ports)
  const t = performance.now()
  devrig(["start", "-d"])
  const ms = performance.now() - t
  devrig(["stop"])
  return ms
}

async function timePlain(): Promise<number> {
  await waitFree(ports)
  const t = performance.now()
  // detached: the script and its 20 servers share one process group we can end at once
  const proc = Bun.spawn(["bash", join(dir, "plain.sh")], { cwd: dir, detached: true, stdout: "ignore", stderr: "ignore" })
  await proc.exited
  const ms = performance.now() - t
  try {
    process.kill(-proc.pid, "SIGTERM")
  } catch {}
  return ms
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

const CLK_TCK = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return Number(f[11]) + Number(f[12]) // utime + stime
}
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024

if (ONLY !== "mixed") {
  try {
    console.log(`20 services (${SERVER} http servers), ${RUNS} runs each after a warm-up, on ${navigator.hardwareConcurrency} CPUs`)
    await timePlain()
    await timeDevrig()
    const plain: number[] = []
    const rig: number[] = []
    for (let i = 0; i < RUNS; i++) {
      plain.push(await timePlain())
      rig.push(await timeDevrig())
    }
    const [mp, md] = [median(plain), median(rig)]
    const ratio = md / mp
    console.log(`start-to-all-ready   plain script ${mp.toFixed(0)} ms   devrig start -d ${md.toFixed(0)} ms`)
    console.log(`ratio 20-services-start/plain-script ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}) ${ratio <= TARGET_RATIO ? "✓" : "✗"}`)
    if (ratio > TARGET_RATIO) missed = true
    console.log(`  runs: plain ${plain.map((x) => x.toFixed(0)).join(" ")} | devrig ${rig.map((x) => x.toFixed(0)).join(" ")}`)

    await waitFree(ports)
    devrig(["start", "-d"])
    const sup = (JSON.parse(readFileSync(join(dir, ".devrig", "state.json"), "utf8")) as { supervisor: { pid: number } }).supervisor.pid
    const watchdog = readdirSync("/proc")
      .filter((e) => /^\d+$/.test(e))
      .map(Number)
      .find((pid) => {
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")
          return argv[1] === "__watchdog" && argv[2] === join(dir, "devrig.toml")
        } catch {
          return false
        }
      })
    await Bun.sleep(2000) // let start-up settle
    const [s0, w0, t0] = [cpuTicks(sup), watchdog ? cpuTicks(watchdog) : 0, performance.now()]
    await Bun.sleep(IDLE_S * 1000)
    const [s1, w1, t1] = [cpuTicks(sup), watchdog ? cpuTicks(watchdog) : 0, performance.now()]
    const pct = (ticks: number) => (ticks / CLK_TCK / ((t1 - t0) / 1000)) * 100
    const supPct = pct(s1 - s0)
    console.log(`idle supervisor      CPU ${supPct.toFixed(3)} % of one core over ${((t1 - t0) / 1000).toFixed(0)} s   RSS ${rssMiB(sup).toFixed(1)} MiB`)
    console.log(`ratio idle-cpu/1%-of-a-core ${(supPct / TARGET_CPU).toFixed(3)} (target < 1) ${supPct < TARGET_CPU ? "✓" : "✗"}`)
    if (supPct >= TARGET_CPU) missed = true
    if (watchdog) console.log(`  watchdog           CPU ${pct(w1 - w0).toFixed(3)} %   RSS ${rssMiB(watchdog).toFixed(1)} MiB`)
    devrig(["stop"])
  } finally {
    try {
      Bun.spawnSync([BIN, "stop"], { cwd: dir, env, stdout: "ignore", stderr: "ignore" })
    } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
}

// ── mixed: slow containers next to independent services ─────────────────────
interface Event { timestamp: string; attributes: Record<string, string | number> }
async function mixedRun(): Promise<{ wall: number; independent: number; container: number; dependent: number; dependency: number }> {
  const mdir = mkdtempSync(join(tmpdir(), "devrig-bench-mixed-"))
  const menv = { ...process.env, XDG_STATE_HOME: join(mdir, "state"), NO_COLOR: "1" }
  const [dash, grpc, http] = [await freePort(), await freePort(), await freePort()]
  const sports: number[] = []
  while (sports.length < 10) {
    const p = await freePort()
    if (!sports.includes(p) && !ports.includes(p)) sports.push(p)
  }
  const box = (n: string) =>
    `[docker.${n}]\nimage = "devrig-test/busybox:latest"\ncommand = ["sh", "-c", "sleep 3; touch /tmp/ok; exec sleep 600"]\nready_check = { type = "cmd", command = "test -f /tmp/ok", timeout = "60s" }\nstop_timeout = "1s"\n`
  writeFileSync(
    join(mdir, "devrig.toml"),
    `[project]\nname = "benchmixed"\n\n[dashboard]\nport = ${dash}\n[dashboard.otel]\ngrpc_port = ${grpc}\nhttp_port = ${http}\n\n` +
      box("cache") +
      "\n" +
      box("queue") +
      "\n" +
      sports.map((p, i) => `[services.s${i}]\ncommand = "${command(p).replace(/"/g, '\\"')}"\nport = ${p}\n`).join("\n") +
      `\n[services.consumer]\ncommand = "exec sleep 600"\ndepends_on = ["queue"]\n`,
  )
  const run = (args: string[]) => Bun.spawnSync([BIN, ...args], { cwd: mdir, env: menv, stdout: "pipe", stderr: "pipe" })
  try {
    const t = performance.now()
    const up = run(["start", "-d"])
    const wall = performance.now() - t
    if (up.exitCode !== 0) throw new Error(`devrig start -d (mixed) exited ${up.exitCode}: ${up.stderr}`)
    const q = run(["query", "logs", "--service", "devrig", "--limit", "1000"])
    if (q.exitCode !== 0) throw new Error(`devrig query logs exited ${q.exitCode}: ${q.stderr}`)
    const events = q.stdout.toString().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Event)
    const when = (component: string, kind: string) => {
      const e = events.find((x) => x.attributes["devrig.component"] === component && x.attributes["devrig.event"] === kind)
      if (!e) throw new Error(`no ${kind} event for ${component}`)
      return Date.parse(e.timestamp)
    }
    const t0 = Math.min(...events.filter((e) => e.attributes["devrig.event"] === "start").map((e) => Date.parse(e.timestamp)))
    return {
      wall,
      independent: Math.max(...sports.map((_, i) => when(`s${i}`, "ready"))) - t0,
      container: Math.max(when("cache", "ready"), when("queue", "ready")) - t0,
      dependent: when("consumer", "start") - t0,
      dependency: when("queue", "ready") - t0,
    }
  } finally {
    run(["delete"])
    rmSync(mdir, { recursive: true, force: true })
  }
}

if (ONLY !== "services") {
  const MIXED_RUNS = Math.max(1, Math.min(RUNS, 3))
  console.log(`mixed: 2 containers ready ~3 s after start + 10 independent ${SERVER} http servers + 1 service depending on a container, ${MIXED_RUNS} runs (times from devrig's lifecycle events, from the first start event)`)
  const runs: Awaited<ReturnType<typeof mixedRun>>[] = []
  for (let i = 0; i < MIXED_RUNS; i++) runs.push(await mixedRun())
  const m = (k: keyof (typeof runs)[number]) => median(runs.map((r) => r[k]))
  console.log(`  independent services all ready +${m("independent").toFixed(0)} ms   slowest container ready +${m("container").toFixed(0)} ms   dependent started +${m("dependent").toFixed(0)} ms (its container ready +${m("dependency").toFixed(0)} ms)   start -d returned after ${m("wall").toFixed(0)} ms`)
  console.log(`  runs (independent/container ms): ${runs.map((r) => `${r.independent.toFixed(0)}/${r.container.toFixed(0)}`).join(" ")}`)
  const r = m("independent") / m("container")
  const order = runs.every((x) => x.dependent >= x.dependency)
  if (!order) console.log("  ✗ the dependent service started before the container it depends on was ready")
  console.log(`ratio mixed-independent-ready/slowest-container-ready ${r.toFixed(2)} (target ≤ ${TARGET_MIXED}) ${r <= TARGET_MIXED && order ? "✓" : "✗"}`)
  if (r > TARGET_MIXED || !order) missed = true
}
rmSync(dir, { recursive: true, force: true })
process.exit(missed ? 1 : 0)
