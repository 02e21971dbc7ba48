// exec inside a running container: exit codes, output streams, stdin, timeouts, interactive TTY.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { PassThrough } from "node:stream"
import { execInteractive, execRun } from "../../../src/docker/exec.ts"
import { deleteProject, upContainers } from "../../../src/docker/phase.ts"
import { IMAGES, assertNoResources, container, ensureTestImages, testIdentity } from "../../helpers/docker.ts"

const ident = testIdentity("exec")
let id = ""

beforeAll(async () => {
  await ensureTestImages()
  const up = await upContainers(ident, [[container("box", { image: IMAGES.busybox, command: ["sleep", "600"] })]])
  id = up.box!.id
}, 300_000)
afterAll(async () => {
  await deleteProject(ident.slug)
  await assertNoResources(ident.slug)
}, 60_000)

test("exit codes and separate output streams", async () => {
  expect(await execRun(id, ["true"])).toMatchObject({ exitCode: 0, output: "", timedOut: false })
  expect(await execRun(id, ["sh", "-c", "echo out; echo err >&2; exit 42"])).toMatchObject({ exitCode: 42, stdout: "out", stderr: "err" })
  // The engine itself fails the exec (126 from the runtime, 127 from a shell on some versions).
  const missing = await execRun(id, ["no-such-binary"])
  expect([126, 127]).toContain(missing.exitCode)
  expect(missing.output).toContain("no-such-binary")
}, 30_000)

test("env, user, stdin", async () => {
  expect((await execRun(id, ["sh", "-c", "echo $GREETING"], { env: { GREETING: "hej" } })).output).toBe("hej")
  expect((await execRun(id, ["id", "-u"], { user: "65534" })).output).toBe("65534")
  expect((await execRun(id, ["wc", "-l"], { stdin: "a\nb\nc\n" })).output.trim()).toBe("3")
}, 30_000)

test("a command that outlives its timeout reports timedOut", async () => {
  const t0 = Date.now()
  const r = await execRun(id, ["sleep", "30"], { timeoutMs: 300 })
  expect(r).toMatchObject({ timedOut: true, exitCode: -1 })
  expect(Date.now() - t0).toBeLessThan(20_000)
}, 30_000)

test("interactive: a TTY session returns the shell's exit code", async () => {
  const stdin = new PassThrough()
  const stdout = Object.assign(new PassThrough(), { columns: 120, rows: 40 })
  let screen = ""
  stdout.on("data", (d: Buffer) => (screen += d.toString()))
  setTimeout(() => stdin.write("tty >/dev/null && echo is-a-tty; stty size; exit 5\n"), 300)
  const code = await execInteractive(id, ["sh"], { terminal: { stdin, stdout } })
  expect(code).toBe(5)
  expect(screen).toContain("is-a-tty")
  // the resize call reached the engine
  expect(screen).toContain("40 120")
}, 30_000)
