// The foreground lifecycle with real child processes standing in for Compose: a runner maps each
// Compose command line to a small sh script and runs it through the real spawner.
import { describe, expect, test } from "bun:test"
import { runCompose } from "../../../src/compose/process.ts"
import { composeUp, type Runner, verboseLines } from "../../../src/compose/run.ts"

const target = { flavor: "v2" as const, project: "devrig-app-12345678", file: "/tmp/compose.yaml" }

function scripted(scripts: Record<string, string>): { runner: Runner; calls: string[][] } {
  const calls: string[][] = []
  const runner: Runner = (argv, o) => {
    calls.push([...argv])
    const verb = argv.find((a) => a in scripts) ?? ""
    return runCompose(["sh", "-c", scripts[verb] ?? "exit 99"], o)
  }
  return { runner, calls }
}

function logger() {
  const info: string[] = []
  const warn: string[] = []
  return { info, warn, logger: { info: (m: string) => info.push(m), warn: (m: string) => warn.push(m) } }
}

// Prints a line, then waits until SIGTERM (and exits like Compose does when interrupted).
const LONG_RUNNING = `trap 'echo stopping; exit 130' TERM; echo "web_1 | listening"; exec 2>/dev/null; while :; do sleep 0.05; done`

describe("foreground", () => {
  test("streams stdout and stderr line by line and exits 0", async () => {
    const { runner } = scripted({ up: `echo 'Creating web_1'; printf 'web_1 | a\\nweb_1 | b\\n' >&2; printf 'no newline'` })
    const lines: string[] = []
    const result = await composeUp({ target, detach: false, noTraefik: false, runner, onOutput: (l, s) => lines.push(`${s}:${l}`) })
    expect(result).toEqual({ status: "exited" })
    expect(lines.filter((l) => l.startsWith("stdout:"))).toEqual(["stdout:Creating web_1", "stdout:no newline"])
    expect(lines.filter((l) => l.startsWith("stderr:"))).toEqual(["stderr:web_1 | a", "stderr:web_1 | b"])
  })

  test("a compose that ignores the interrupt is killed, and down runs all the same", async () => {
    const { runner, calls } = scripted({ up: `trap '' TERM; echo "web_1 | listening"; while :; do sleep 0.05; done`, down: "echo 'Removing web_1'" })
    const ac = new AbortController()
    const lines: string[] = []
    const t0 = performance.now()
    const result = await composeUp({
      target,
      detach: false,
      noTraefik: false,
      runner,
      signal: ac.signal,
      escalateMs: 300,
      onOutput: (l) => {
        lines.push(l)
        if (l.includes("listening")) ac.abort()
      },
    })
    expect(result).toEqual({ status: "interrupted" })
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300) // it was given the grace period
    expect(calls.map((c) => c.slice(6).join(" "))).toEqual(["up", "down"])
    expect(lines).toEqual(["web_1 | listening", "Removing web_1"])
  })

  test("interruption signals compose, waits for it, then runs down (no -v)", async () => {
    const { runner, calls } = scripted({ up: LONG_RUNNING, down: "echo 'Removing web_1'" })
    const ac = new AbortController()
    const lines: string[] = []
    const log = logger()
    const result = await composeUp({
      target,
      detach: false,
      noTraefik: true,
      verbose: true,
      runner,
      signal: ac.signal,
      logger: log.logger,
      onOutput: (l) => {
        lines.push(l)
        if (l.includes("listening")) ac.abort()
      },
    })
    expect(result).toEqual({ status: "interrupted" })
    expect(calls.map((c) => c.slice(6).join(" "))).toEqual(["up --scale traefik=0", "down"])
    // "stopping" proves compose got the signal and was waited for before down ran.
    expect(lines).toEqual(["web_1 | listening", "stopping", "Removing web_1"])
    const base = "docker compose -p devrig-app-12345678 -f /tmp/compose.yaml"
    expect(log.info).toEqual([
      `compose: command: ${base} up --scale traefik=0`,
      "compose: directory: /tmp",
      "compose: file: /tmp/compose.yaml",
      `compose: command: ${base} down`,
      "compose: directory: /tmp",
      "compose: file: /tmp/compose.yaml",
    ])
    expect(log.warn).toEqual([])
  })

  test("a failing teardown is logged and does not mask the interruption", async () => {
    const { runner } = scripted({ up: LONG_RUNNING, down: "echo 'Cannot connect to the Docker daemon' >&2; exit 1" })
    const ac = new AbortController()
    const log = logger()
    const result = await composeUp({
      target,
      detach: false,
      noTraefik: false,
      runner,
      signal: ac.signal,
      logger: log.logger,
      onOutput: (l) => l.includes("listening") && ac.abort(),
    })
    expect(result.status).toBe("interrupted")
    expect(result.status === "interrupted" && result.teardownError).toBeInstanceOf(Error)
    expect(log.warn).toEqual(["compose: teardown after interruption failed: compose: docker compose down failed (exit 1): Cannot connect to the Docker daemon"])
  })

  test("an already aborted signal starts nothing", async () => {
    const { runner, calls } = scripted({ up: "exit 0" })
    const ac = new AbortController()
    ac.abort()
    expect(await composeUp({ target, detach: false, noTraefik: false, runner, signal: ac.signal })).toEqual({ status: "interrupted" })
    expect(calls).toEqual([])
  })
})

describe("verbose", () => {
  test("exact lines: command line, directory, compose file", () => {
    const t = { flavor: "v1" as const, project: "devrig-my-app-0badf00d", file: "/home/me/my app/.devrig/compose.yaml", envFile: "/home/me/my app/.env" }
    expect(verboseLines(["docker-compose", "-p", t.project, "-f", t.file, "--env-file", t.envFile, "up", "-d"], t)).toEqual([
      "compose: command: docker-compose -p devrig-my-app-0badf00d -f '/home/me/my app/.devrig/compose.yaml' --env-file '/home/me/my app/.env' up -d",
      "compose: directory: /home/me/my app/.devrig",
      "compose: file: /home/me/my app/.devrig/compose.yaml",
    ])
  })
})
