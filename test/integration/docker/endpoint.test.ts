// Docker wherever it is: a context, a Desktop-style socket under HOME, DOCKER_HOST=tcp. Each test
// hides the engine's default socket in a private mount namespace (root only: /dev/null is bound
// over /var/run/docker.sock and the real socket appears at another path), so devrig can only
// succeed through the endpoint under test — then it starts a real busybox container there.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { createHash } from "node:crypto"
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs"
import { createServer, connect, type Server } from "node:net"
import { join } from "node:path"
import { BIN, tempProject } from "../../helpers/cli.ts"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { project, type Project } from "../../helpers/proc-fixtures.ts"
import { listContainers } from "../../../src/docker/containers.ts"
import { cleanupProjects, labelled } from "../faults/helpers.ts"

const isRoot = process.getuid?.() === 0
if (!isRoot) console.log("[endpoint] skipped: hiding the default socket needs root (unshare -m)")

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
afterAll(() => cleanupProjects(made), 60_000)

/** Runs devrig where /var/run/docker.sock is /dev/null and the engine answers only at `socketPath`. */
async function hidden(p: Project, socketPath: string, args: string[], env: Record<string, string | undefined>) {
  const script = `touch "$1" && mount --bind /var/run/docker.sock "$1" && mount --bind /dev/null /var/run/docker.sock && shift && exec "$@"`
  const merged: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...process.env, ...p.env, DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, ...env })) if (v !== undefined) merged[k] = v
  const proc = Bun.spawn(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", socketPath, BIN, ...args], { cwd: p.dir, env: merged, stdout: "pipe", stderr: "pipe", stdin: "ignore" })
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { stdout, stderr, exitCode }
}

function boxProject(name: string): Project {
  const p = project(name, `[docker.box]\nimage = "${IMAGES.busybox}"\ncommand = ["sleep", "600"]\nstop_timeout = "1s"\n`)
  made.push(p)
  return p
}

/** doctor names the endpoint and its source; start -d runs the container there; delete removes it. */
async function provesEndpoint(p: Project, socketPath: string, env: Record<string, string | undefined>, expected: { address: string; source: RegExp }) {
  const doc = await hidden(p, socketPath, ["doctor", "--json"], env)
  const docker = (JSON.parse(doc.stdout) as { checks: { name: string; found: boolean; endpoint?: string; source?: string }[] }).checks.find((c) => c.name === "docker engine")!
  expect(docker, doc.stdout + doc.stderr).toMatchObject({ found: true, endpoint: expected.address })
  expect(docker.source).toMatch(expected.source)

  // Proof that the default socket is out of reach in there: without the endpoint, devrig fails.
  const blind = await hidden(p, socketPath, ["doctor", "--json"], { HOME: tempProject().dir, DOCKER_CONFIG: undefined, DOCKER_HOST: undefined, XDG_RUNTIME_DIR: undefined })
  expect((JSON.parse(blind.stdout) as { checks: { name: string; found: boolean }[] }).checks.find((c) => c.name === "docker engine")!.found).toBe(false)

  const up = await hidden(p, socketPath, ["start", "-d"], env)
  expect(up.exitCode, up.stdout + up.stderr).toBe(0)
  expect(await labelled(p.slug, false)).toEqual([`devrig-${p.slug}-box`])
  const ps = await hidden(p, socketPath, ["ps", "--json"], env)
  expect((JSON.parse(ps.stdout) as { components: { name: string; state: string }[] }).components.find((c) => c.name === "box")?.state).toBe("running")
  const del = await hidden(p, socketPath, ["delete"], env)
  expect(del.exitCode, del.stdout + del.stderr).toBe(0)
  expect(await labelled(p.slug)).toEqual([])
}

test.skipIf(!isRoot)("the current Docker context (config.json currentContext → meta.json endpoint) is where containers run", async () => {
  const p = boxProject("ctx")
  const dir = tempProject().dir
  const socketPath = join(dir, "elsewhere.sock")
  const config = join(dir, "docker-config")
  const meta = join(config, "contexts", "meta", createHash("sha256").update("elsewhere").digest("hex"))
  mkdirSync(meta, { recursive: true })
  writeFileSync(join(config, "config.json"), JSON.stringify({ currentContext: "elsewhere" }))
  writeFileSync(join(meta, "meta.json"), JSON.stringify({ Name: "elsewhere", Metadata: {}, Endpoints: { docker: { Host: `unix://${socketPath}`, SkipTLSVerify: false } } }))
  await provesEndpoint(p, socketPath, { DOCKER_CONFIG: config }, { address: socketPath, source: /context "elsewhere" \(config.json currentContext\)/ })
}, 120_000)

test.skipIf(!isRoot)("DOCKER_CONTEXT names a context; an unknown one is one clear error", async () => {
  const p = boxProject("ctxenv")
  const dir = tempProject().dir
  const socketPath = join(dir, "named.sock")
  const config = join(dir, "docker-config")
  const meta = join(config, "contexts", "meta", createHash("sha256").update("named").digest("hex"))
  mkdirSync(meta, { recursive: true })
  writeFileSync(join(meta, "meta.json"), JSON.stringify({ Name: "named", Endpoints: { docker: { Host: `unix://${socketPath}` } } }))
  const bad = await hidden(p, socketPath, ["start", "-d"], { DOCKER_CONFIG: config, DOCKER_CONTEXT: "nope" })
  expect(bad.exitCode).toBe(2)
  expect(bad.stderr).toContain('Docker context "nope" (from DOCKER_CONTEXT) does not exist')
  await provesEndpoint(p, socketPath, { DOCKER_CONFIG: config, DOCKER_CONTEXT: "named" }, { address: socketPath, source: /context "named" \(DOCKER_CONTEXT\)/ })
}, 120_000)

test.skipIf(!isRoot)("a symlinked socket under HOME (~/.orbstack/run/docker.sock) is found when nothing else is configured", async () => {
  const p = boxProject("orb")
  const home = tempProject().dir
  const socketPath = join(tempProject().dir, "real.sock")
  mkdirSync(join(home, ".orbstack", "run"), { recursive: true })
  symlinkSync(socketPath, join(home, ".orbstack", "run", "docker.sock"))
  await provesEndpoint(p, socketPath, { HOME: home, DOCKER_CONFIG: undefined, XDG_RUNTIME_DIR: undefined }, { address: join(home, ".orbstack", "run", "docker.sock"), source: /OrbStack socket/ })
}, 120_000)

test.skipIf(!isRoot)("DOCKER_HOST=tcp://127.0.0.1:PORT reaches the engine through a loopback TCP listener", async () => {
  const p = boxProject("tcp")
  let connections = 0
  // A TCP front for the engine's unix socket, run by this (un-namespaced) test process.
  const server: Server = createServer((client) => {
    connections++
    const up = connect("/var/run/docker.sock")
    client.pipe(up).pipe(client)
    client.on("error", () => up.destroy())
    up.on("error", () => client.destroy())
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const port = (server.address() as { port: number }).port
  try {
    const socketPath = join(tempProject().dir, "unused.sock")
    await provesEndpoint(p, socketPath, { DOCKER_HOST: `tcp://127.0.0.1:${port}` }, { address: `tcp://127.0.0.1:${port}`, source: /^DOCKER_HOST$/ })
    expect(connections).toBeGreaterThan(0)
  } finally {
    server.close()
  }
}, 120_000)

test.skipIf(!isRoot)("docker-compose children get the endpoint devrig found (a colima socket under HOME, unknown to Compose itself)", async () => {
  const compose = `services:\n  box:\n    image: ${IMAGES.busybox}\n    command: ["sleep", "600"]\n    init: true\n`
  const p = project("cmpsock", `[compose]\nfile = "docker-compose.yml"\n`, { files: { "docker-compose.yml": compose } })
  made.push(p)
  const home = tempProject().dir
  const socketPath = join(tempProject().dir, "colima.sock")
  mkdirSync(join(home, ".colima", "default"), { recursive: true })
  symlinkSync(socketPath, join(home, ".colima", "default", "docker.sock"))
  const env = { HOME: home, DOCKER_CONFIG: undefined, XDG_RUNTIME_DIR: undefined }
  const byProject = async () => (await listContainers({ label: [`com.docker.compose.project=devrig-${p.slug}`] })).filter((c) => c.state === "running")
  try {
    const up = await hidden(p, socketPath, ["start", "-d"], env)
    expect(up.exitCode, up.stdout + up.stderr + p.read(".devrig/supervisor.log")).toBe(0)
    expect((await byProject()).length).toBe(1)
  } finally {
    const del = await hidden(p, socketPath, ["delete"], env)
    expect(del.exitCode, del.stdout + del.stderr).toBe(0)
  }
  expect(await listContainers({ label: [`com.docker.compose.project=devrig-${p.slug}`] })).toEqual([])
}, 120_000)
