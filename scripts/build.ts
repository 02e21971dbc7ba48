// Builds dist/devrig: one self-contained executable (Bun runtime + bundled app + embedded UI).
// Steps: generate OTLP protobuf code (if missing), build the dashboard (if its sources changed),
// write the embedded-asset module, then `bun build --compile` with bytecode (ESM: CJS bytecode crashes) and code splitting.
import { existsSync } from "node:fs"
import { join } from "node:path"
import type { BunPlugin } from "bun"

const root = join(import.meta.dir, "..")
const outfile = process.env.DEVRIG_OUTFILE ?? join(root, "dist", "devrig")
const target = (process.env.DEVRIG_TARGET ?? "bun-linux-x64") as "bun-linux-x64"

async function step(name: string, cmd: string[]) {
  const t = performance.now()
  const proc = Bun.spawn(cmd, { cwd: root, stdout: "inherit", stderr: "inherit" })
  if ((await proc.exited) !== 0) throw new Error(`${name} failed`)
  console.log(`  ${name} (${Math.round(performance.now() - t)} ms)`)
}

// docker-modem always requires ssh2; devrig never uses the ssh transport, so the native addon
// and its crypto deps stay out of the binary.
const stubSsh2: BunPlugin = {
  name: "stub-ssh2",
  setup(build) {
    build.onResolve({ filter: /^ssh2$/ }, () => ({ path: "ssh2", namespace: "stub-ssh2" }))
    build.onLoad({ filter: /.*/, namespace: "stub-ssh2" }, () => ({
      contents: `export class Client { constructor() { throw new Error("ssh transport not supported") } }
export default { Client }`,
      loader: "js",
    }))
  },
}

/** The commit `devrig --version` names: DEVRIG_COMMIT, else git's HEAD (+"-dirty" with local changes). */
function commit(): string {
  if (process.env.DEVRIG_COMMIT) return process.env.DEVRIG_COMMIT
  const git = (args: string[]) => Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "ignore" })
  const head = git(["rev-parse", "--short=12", "HEAD"])
  if (head.exitCode !== 0) return "unknown"
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]).stdout.toString().trim() !== ""
  return head.stdout.toString().trim() + (dirty ? "-dirty" : "")
}

if (existsSync(join(root, "scripts", "gen-proto.ts"))) await step("proto", ["bun", "scripts/gen-proto.ts"])
if (existsSync(join(root, "scripts", "build-ui.ts"))) await step("ui", ["bun", "scripts/build-ui.ts"])

const t = performance.now()
const result = await Bun.build({
  entrypoints: [join(root, "src", "main.ts")],
  compile: { target, outfile },
  minify: true,
  bytecode: true,
  format: "esm",
  // Split chunks stay separate modules inside the executable: `--version` loads only main.ts's
  // chunk, and the commands' code is read and evaluated when dispatch.ts is first imported
  // (without it the whole bundle is loaded before the first line runs: ~12 MB RSS and several ms).
  splitting: true,
  plugins: [stubSsh2],
  define: { "process.env.DEVRIG_BUILD_TIME": JSON.stringify(new Date().toISOString()), "process.env.DEVRIG_COMMIT": JSON.stringify(commit()) },
})
if (!result.success) {
  for (const log of result.logs) console.error(log)
  process.exit(1)
}
console.log(`  compile → ${outfile} (${Math.round(performance.now() - t)} ms)`)
