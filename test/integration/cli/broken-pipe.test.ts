// A reader that goes away (`devrig env api | head -1`) ends devrig quietly, as it ends every Unix
// tool: no EPIPE stack trace on stderr, exit 0 — for every command, and at once for
// `logs --follow` even when nothing more is printed.
import { describe, expect, test } from "bun:test"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { BIN, tempProject } from "../../helpers/cli.ts"
import { assertCleanedUp, project } from "../../helpers/proc-fixtures.ts"

interface PipeRun {
  /** devrig's own exit status (PIPESTATUS[0]) */
  status: number
  /** devrig's stderr */
  stderr: string
  /** what the reader got */
  read: string
  ms: number
}

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`

/**
 * Runs `devrig ARGS | READER` in bash and reports devrig's own status. The reader's output goes
 * to a file; devrig's stderr is the only thing on the shell's stderr.
 */
async function piped(args: string[], cwd: string, reader = "head -1", timeoutS = 30): Promise<PipeRun> {
  const out = join(cwd, `.read-${Math.random().toString(36).slice(2)}`)
  const script = `timeout -s KILL ${timeoutS} ${[BIN, ...args].map(quote).join(" ")} | ${reader} > ${quote(out)}; echo "\${PIPESTATUS[0]}"`
  const t0 = performance.now()
  const proc = Bun.spawn(["bash", "-c", script], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { status: Number(stdout.trim()), stderr, read: await Bun.file(out).text(), ms: performance.now() - t0 }
}

/**
 * Runs devrig with stdout on a FIFO whose only reader closed before devrig started: the first
 * write fails with EPIPE, however little the command prints.
 */
async function readerClosed(args: string[], cwd: string): Promise<{ status: number; stderr: string }> {
  const fifo = join(cwd, `.fifo-${Math.random().toString(36).slice(2)}`)
  // 3<> opens the FIFO for reading and writing (no blocking), 4> adds a writer, then the only
  // reader (3) is closed: fd 4 is a pipe without a reader.
  const script = `mkfifo ${quote(fifo)} && exec 3<>${quote(fifo)} 4>${quote(fifo)} 3<&- && { timeout -s KILL 30 ${[BIN, ...args].map(quote).join(" ")} >&4; echo $? >&5; } 5>&1`
  const proc = Bun.spawn(["bash", "-c", script], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { status: Number(stdout.trim()), stderr }
}

/** Enough output (well over a 64 KiB pipe buffer) that `head -1` really leaves before devrig is done. */
function bigProject() {
  const value = "v".repeat(1000)
  const services = Array.from({ length: 150 }, (_, i) => `[services.service-with-a-rather-long-name-${String(i).padStart(3, "0")}]\ncommand = "sleep 60"\n`).join("\n")
  const env = Array.from({ length: 200 }, (_, i) => `VAR_${i} = "${value}"`).join("\n")
  return tempProject(`[project]\nname = "pipes"\n\n[services.api]\ncommand = "sleep 60"\n\n[services.api.env]\n${env}\n\n${services}`)
}

describe("a closed stdout ends devrig quietly", () => {
  const cases: string[][] = [
    ["env", "api"],
    ["env", "api", "--export"],
    ["ps"],
    ["ps", "--json"],
    ["validate"],
    ["validate", "--json"],
    ["logs"],
  ]
  for (const args of cases)
    test(`devrig ${args.join(" ")} | head -1`, async () => {
      const p = bigProject()
      // `logs` reads .devrig/logs/<name>.log (JSON lines {t, s, m}): 1 MiB of them.
      mkdirSync(join(p.dir, ".devrig", "logs"), { recursive: true })
      const line = JSON.stringify({ t: "2026-01-01T00:00:00.000Z", s: "out", m: "x".repeat(200) }) + "\n"
      writeFileSync(join(p.dir, ".devrig", "logs", "api.log"), line.repeat(5000))
      const r = await piped(args, p.dir)
      expect(r.stderr).toBe("")
      expect(r.read.split("\n").length).toBe(2)
      expect(r.status).toBe(0)
    })

  test("every command, when the reader closed before the first write", async () => {
    const p = tempProject(`[project]\nname = "pipes"\n\n[services.api]\ncommand = "sleep 60"\n\n[docker.db]\nimage = "devrig-test/busybox:latest"\n`)
    const runs: [string[], number][] = [
      [["--version"], 0],
      [["--help"], 0],
      [["validate"], 0],
      [["validate", "--json"], 0],
      [["ps"], 0],
      [["ps", "--all"], 0],
      [["env", "api"], 0],
      [["completions", "bash"], 0],
      [["completions", "fish"], 0],
      [["query", "--help"], 0],
      [["logs", "--help"], 0],
      [["start", "--help"], 0],
      // An error goes to stderr, which is still open: the exit code stays the error's.
      [["validate", "--nope"], 1],
    ]
    const results = await Promise.all(runs.map(([args]) => readerClosed(args, p.dir)))
    results.forEach((r, i) => {
      const [args, status] = runs[i]!
      expect({ args, stderr: r.stderr.includes("EPIPE") || /^\s+at /m.test(r.stderr) ? r.stderr : "", status: r.status }).toEqual({ args, stderr: "", status })
    })
  })

  test("logs --follow | head -1 ends as soon as the reader is gone, though nothing more is logged", async () => {
    const p = tempProject(`[project]\nname = "pipes"\n\n[services.api]\ncommand = "sleep 60"\n`)
    mkdirSync(join(p.dir, ".devrig", "logs"), { recursive: true })
    writeFileSync(join(p.dir, ".devrig", "logs", "api.log"), JSON.stringify({ t: "2026-01-01T00:00:00.000Z", s: "out", m: "the only line" }) + "\n")
    // Killed after 20 s (status 137) if devrig never notices.
    const r = await piped(["logs", "--follow", "api"], p.dir, "head -1", 20)
    expect(r.stderr).toBe("")
    expect(r.read).toContain("the only line")
    expect(r.status).toBe(0)
    expect(r.ms).toBeLessThan(10_000)
  }, 30_000)

  test("a foreground start whose reader goes away stops the project, as Ctrl+C would", async () => {
    const p = project("pipe-fg", `[services.idle]\ncommand = "sleep 600"\n`)
    const script = `XDG_STATE_HOME=${quote(p.xdg)} timeout -s KILL 60 ${quote(BIN)} start | head -1 > /dev/null; echo "\${PIPESTATUS[0]}"`
    const proc = Bun.spawn(["bash", "-c", script], { cwd: p.dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" })
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
    expect(stderr).not.toContain("EPIPE")
    expect(Number(stdout.trim())).toBe(0)
    await assertCleanedUp(p)
    expect((await p.ps()).running).toBe(false)
  }, 90_000)
})
