// Release artifacts end to end, for the one target this machine can run: scripts/release builds
// devrig-linux-x64 and SHA256SUMS into a temp folder, install.sh installs it into a temp HOME, and
// the installed binary answers --version. A tampered checksum is refused and installs nothing.
// (The darwin and arm64 artifacts are built by the same script; only their format can be checked here.)
import { expect, test } from "bun:test"
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import pkg from "../../../package.json" with { type: "json" }
import { ROOT, tempProject } from "../../helpers/cli.ts"

const runnable = process.platform === "linux" && process.arch === "x64"
if (!runnable) console.log("[release] skipped: the test installs the linux-x64 artifact and runs it")

async function run(argv: string[], env: Record<string, string>) {
  const proc = Bun.spawn(argv, { cwd: ROOT, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe", stdin: "ignore" })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { stdout, stderr, code }
}

test.skipIf(!runnable)("scripts/release linux-x64 → install.sh from a local folder → the installed devrig runs; a wrong checksum is refused", async () => {
  const rel = join(tempProject().dir, "release")
  const built = await run([join(ROOT, "scripts", "release"), "linux-x64"], { DEVRIG_RELEASE_DIR: rel })
  expect(built.code, built.stdout + built.stderr).toBe(0)
  expect(built.stdout).toMatch(/format: ELF 64-bit LSB .*x86-64/)
  const sums = readFileSync(join(rel, "SHA256SUMS"), "utf8")
  expect(sums).toMatch(/^[0-9a-f]{64} {2}devrig-linux-x64$/m)
  const sha = new Bun.CryptoHasher("sha256").update(readFileSync(join(rel, "devrig-linux-x64"))).digest("hex")
  expect(sums).toContain(`${sha}  devrig-linux-x64`)

  const home = tempProject().dir
  const inst = await run(["sh", join(ROOT, "install.sh"), "--from", rel], { HOME: home })
  expect(inst.code, inst.stdout + inst.stderr).toBe(0)
  const bin = join(home, ".local", "bin", "devrig")
  expect(inst.stdout).toContain(`→ ${bin}`)
  const v = await run([bin, "--version"], {})
  expect(v.code).toBe(0)
  expect(v.stdout).toMatch(new RegExp(`^devrig ${pkg.version.replace(/\./g, "\\.")} \\(commit [0-9a-f]{12}(-dirty)?, linux-x64\\)\\n$`))

  // The same artifact with one checksum digit changed: refused, nothing installed.
  const bad = join(tempProject().dir, "tampered")
  cpSync(rel, bad, { recursive: true })
  const flipped = sha.slice(0, -1) + (sha.endsWith("0") ? "1" : "0")
  writeFileSync(join(bad, "SHA256SUMS"), sums.replace(sha, flipped))
  const home2 = tempProject().dir
  const refused = await run(["sh", join(ROOT, "install.sh"), "--from", bad], { HOME: home2 })
  expect(refused.code).toBe(1)
  expect(refused.stderr).toContain("checksum mismatch for devrig-linux-x64")
  expect(existsSync(join(home2, ".local", "bin", "devrig"))).toBe(false)
}, 180_000)
