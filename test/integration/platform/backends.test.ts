// The portable backend (ps, lsof) gives the same answers as the Linux backend (/proc) for the same
// real processes: the process table, zombies, start times, the run marker in the environment,
// arguments, command lines, port holders and a group's process tree (setsid'd grandchild included).
import { afterAll, beforeAll, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"
import { linux } from "../../../src/platform/linux.ts"
import { parseLstart, portable } from "../../../src/platform/portable.ts"
import { waitFor } from "../../helpers/proc-fixtures.ts"

const onLinux = process.platform === "linux"
if (!onLinux) console.log("[platform] skipped: the Linux backend needs /proc")

const tag = `plat-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
const procs: ReturnType<typeof Bun.spawn>[] = []
let port = 0
let leader = 0
let listener = 0

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

beforeAll(async () => {
  if (!onLinux) return
  port = await freePort()
  // A service-like group: a setsid'd grandchild, a plain child, and a zombie (python forks a child
  // that exits at once and never reaps it).
  const group = Bun.spawn(["sh", "-c", `setsid -f sleep 300; sleep 300 & exec python3 -c 'import os, time; os.fork() or os._exit(0); time.sleep(300)' ${tag}-arg`], {
    env: { ...process.env, DEVRIG_RUN: `${tag}/svc` },
    detached: true,
    stdio: ["ignore", "ignore", "ignore"],
  })
  const server = Bun.spawn(["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1"], { env: { ...process.env, DEVRIG_RUN: `${tag}/web` }, detached: true, stdio: ["ignore", "ignore", "ignore"] })
  procs.push(group, server)
  leader = group.pid
  listener = server.pid
  await waitFor(() => linux.withEnv(`DEVRIG_RUN=${tag}/svc`, false).length >= 3, "the group's processes")
  await waitFor(() => linux.table().some((p) => p.ppid === leader && p.zombie), "the zombie child")
  await waitFor(() => linux.portHolderPid(port) === listener, "the listener")
})

afterAll(() => {
  for (const pid of [...linux.withEnv(`DEVRIG_RUN=${tag}/`, true), ...procs.map((p) => p.pid)]) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {}
  }
})

/** Linux start time (clock ticks since boot) → epoch seconds, the way procps computes `lstart`. */
function ticksToEpoch(ticks: number): number {
  const btime = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))![1])
  const hz = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim())
  return btime + Math.floor(ticks / hz)
}

test.skipIf(!onLinux)("process table, zombies and start times agree", () => {
  const mine = (t: ReturnType<typeof linux.table>) =>
    t
      .filter((p) => p.pgid === leader || p.ppid === leader || p.pid === listener)
      .sort((a, b) => a.pid - b.pid)
  const fromProc = mine(linux.table())
  expect(fromProc.length).toBeGreaterThanOrEqual(4)
  expect(fromProc.some((p) => p.zombie)).toBe(true)
  expect(mine(portable.table())).toEqual(fromProc)
  for (const p of fromProc) {
    const a = linux.stat(p.pid)!
    const b = portable.stat(p.pid)!
    expect(b.zombie).toBe(a.zombie)
    expect(b.startTime).toBe(ticksToEpoch(a.startTime))
  }
  expect(portable.stat(2 ** 22 + 7)).toBeUndefined()
  expect(linux.stat(2 ** 22 + 7)).toBeUndefined()
})

test.skipIf(!onLinux)("the run marker: exact and prefix matches, the setsid'd grandchild included, zombies not", () => {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)
  for (const [assignment, prefix] of [[`DEVRIG_RUN=${tag}/svc`, false], [`DEVRIG_RUN=${tag}/web`, false], [`DEVRIG_RUN=${tag}/`, true], [`DEVRIG_RUN=${tag}/sv`, false]] as const) {
    expect(sorted(portable.withEnv(assignment, prefix))).toEqual(sorted(linux.withEnv(assignment, prefix)))
  }
  const svc = linux.withEnv(`DEVRIG_RUN=${tag}/svc`, false)
  // the grandchild left the group: found by the marker, not by pgid
  expect(svc.some((pid) => linux.table().find((p) => p.pid === pid)!.pgid !== leader)).toBe(true)
  expect(linux.withEnv(`DEVRIG_RUN=${tag}/sv`, false)).toEqual([])
})

test.skipIf(!onLinux)("arguments, command lines and the port holder agree", () => {
  expect(portable.withArg(`${tag}-arg`)).toEqual(linux.withArg(`${tag}-arg`))
  expect(linux.withArg(`${tag}-arg`)).toEqual([leader])
  expect(portable.commandLine(leader)).toBe(linux.commandLine(leader))
  expect(portable.commandLine(listener)).toBe(linux.commandLine(listener))
  expect(portable.portHolderPid(port)).toBe(listener)
  expect(linux.portHolderPid(port)).toBe(listener)
  expect(portable.portHolderPid(1)).toBeUndefined()
  expect(linux.portHolderPid(1)).toBeUndefined()
})

test("lstart parsing", () => {
  expect(parseLstart("Mon Nov 30 19:59:59 2026")).toBe(new Date(2026, 10, 30, 19, 59, 59).getTime() / 1000)
  expect(parseLstart("Tue Dec  1 01:02:03 2026")).toBe(new Date(2026, 11, 1, 1, 2, 3).getTime() / 1000)
  expect(parseLstart("garbage")).toBeUndefined()
})
