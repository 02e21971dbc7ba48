// Records the README's terminal demo as an asciinema v2 cast (docs/demo.cast): validate → start →
// ps → query → delete on a copy of examples/quickstart (the Docker-free config, so it records
// anywhere). Commands run under a pseudo-terminal (`script`), so the cast has devrig's colours.
// Usage: bun scripts/record-demo.ts [out.cast]   — play it with `asciinema play docs/demo.cast`.
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = join(import.meta.dir, "..")
const out = process.argv[2] ?? join(root, "docs", "demo.cast")
const devrig = join(root, "dist", "devrig")
const dir = mkdtempSync(join(tmpdir(), "devrig-demo-"))
cpSync(join(root, "examples", "quickstart"), dir, { recursive: true })
// The copy resolves the OpenTelemetry packages from the repository's node_modules.
symlinkSync(join(root, "node_modules"), join(dir, "node_modules"))

const events: [number, "o", string][] = []
let clock = 0
const emit = (text: string, delay = 0) => {
  clock += delay
  events.push([Number(clock.toFixed(3)), "o", text])
}

async function run(command: string, pause = 1.2): Promise<void> {
  emit("\x1b[32m$\x1b[0m ", 0.4)
  for (const ch of command) emit(ch, 0.035)
  emit("\r\n", 0.25)
  const started = performance.now()
  const proc = Bun.spawn(["script", "-qfec", `${devrig} -f devrig.nodocker.toml ${command.replace(/^devrig /, "")}`, "/dev/null"], {
    cwd: dir,
    env: { ...process.env, COLUMNS: "110", LINES: "32", TERM: "xterm-256color" },
    stdout: "pipe",
    stderr: "pipe",
  })
  const base = clock
  const decoder = new TextDecoder()
  for await (const chunk of proc.stdout) {
    const at = base + (performance.now() - started) / 1000
    events.push([Number(at.toFixed(3)), "o", decoder.decode(chunk, { stream: true })])
  }
  await proc.exited
  clock = base + (performance.now() - started) / 1000 + pause
}

const cleanup = () => {
  Bun.spawnSync([devrig, "-f", "devrig.nodocker.toml", "delete"], { cwd: dir })
  rmSync(dir, { recursive: true, force: true })
}
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => (cleanup(), process.exit(130)))
try {
  await run("devrig validate --quiet")
  await run("devrig start -d", 1.5)
  await Bun.sleep(4000) // let the worker produce a few traces
  await run("devrig ps")
  await run("devrig query traces --limit 3 --format table", 2)
  await run("devrig logs worker --tail 3 --no-follow")
  await run("devrig delete", 2)
} finally {
  cleanup()
}
const header = { version: 2, width: 110, height: 32, title: "devrig: validate, start, ps, query, delete", env: { TERM: "xterm-256color", SHELL: "/bin/bash" } }
writeFileSync(out, [JSON.stringify(header), ...events.map((e) => JSON.stringify(e))].join("\n") + "\n")
console.log(`wrote ${out} (${events.length} events, ${clock.toFixed(1)} s)`)
