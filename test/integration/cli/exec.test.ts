// `devrig exec <container> -- cmd args` runs the command in a real running container, as kubectl
// and docker users type it; the command's output and exit code come back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { assertNoResources, ensureTestImages, IMAGES } from "../../helpers/docker.ts"
import { assertCleanedUp, project, type Project } from "../../helpers/proc-fixtures.ts"
import { devrig, tempProject } from "../../helpers/cli.ts"

let p: Project

beforeAll(async () => {
  await ensureTestImages()
  p = project("exec-dash", `[docker.box]\nimage = "${IMAGES.busybox}"\ncommand = ["sleep", "600"]\nstop_timeout = "1s"\n`)
  const r = await p.run(["start", "-d"])
  if (r.exitCode !== 0) throw new Error(`start -d exited ${r.exitCode}: ${r.stdout}${r.stderr}`)
}, 300_000)

afterAll(async () => {
  const r = await p.run(["delete"])
  expect(r.exitCode).toBe(0)
  await assertNoResources(p.slug)
  await assertCleanedUp(p)
}, 60_000)

describe("devrig exec", () => {
  test("`--` ends devrig's arguments: the command and its own flags reach the container", async () => {
    const r = await p.run(["exec", "box", "--", "sh", "-c", 'echo "args: $*"; echo oops >&2; exit 3', "sh", "-x", "--y"])
    expect(r.stdout).toBe("args: -x --y\n")
    expect(r.stderr).toBe("oops\n")
    expect(r.exitCode).toBe(3)
  }, 30_000)

  test("without `--` as before, and stdin reaches the command", async () => {
    const r = await p.run(["exec", "box", "wc", "-l"], { stdin: "a\nb\n" })
    expect(r.exitCode).toBe(0)
    expect(r.stdout.trim()).toBe("2")
    const ls = await p.run(["exec", "box", "--", "ls", "--", "/"])
    expect(ls.exitCode).toBe(0)
    expect(ls.stdout).toContain("bin")
  }, 30_000)

  test("`--` with nothing after it, off a terminal, asks for a command", async () => {
    const r = await p.run(["exec", "box", "--"])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain("needs a command")
  }, 30_000)
})

describe("devrig exec input errors", () => {
  const dir = () => tempProject(`[project]\nname = "exec-errors"\n\n[docker.box]\nimage = "${IMAGES.busybox}"\n`).dir

  test("no container name: one line on stderr, exit 1", async () => {
    const r = await devrig(["exec"], { cwd: dir() })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toStartWith("✗ `devrig exec` needs a container name")
  })

  test("an option before the container name is refused, not taken for a container", async () => {
    const r = await devrig(["exec", "-it", "box", "sh"], { cwd: dir() })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toStartWith("✗ unknown option `-it` for devrig exec")
  })

  test("--help prints the usage, exit 0", async () => {
    const r = await devrig(["exec", "--help"], { cwd: dir() })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("Usage: devrig exec <container> [--] [command…]")
  })
})
