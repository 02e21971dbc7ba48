// A fixed port that something else already holds fails the start at once, naming the port and
// its holder, with nothing started; once stopped, every port of the project is free.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { assertCleanedUp, assertPortFree, freePort, isPortFree, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"
import { cleanupProjects, labelled } from "./helpers.ts"

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
afterAll(async () => {
  await cleanupProjects(made)
})

/** A python process listening on `port` (a holder with a recognisable command line). */
async function holdPort(port: number) {
  const proc = Bun.spawn(["python3", "-c", `import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",${port}))\ns.listen()\nprint("bound",flush=True)\ntime.sleep(600)`], { stdout: "pipe", stderr: "inherit" })
  const reader = proc.stdout.getReader()
  await reader.read() // "bound"
  return proc
}

for (const where of ["service", "container"] as const) {
  test(`a pre-bound ${where} port fails the start before anything starts, naming port and holder; after stop every port is free`, async () => {
    const [taken, other, box] = await Promise.all([freePort(), freePort(), freePort()])
    const p = project(
      `conflict-${where}`,
      `
[services.web]
command = "exec python3 -m http.server $PORT --bind 127.0.0.1"
port = ${where === "service" ? taken : other}

[services.idle]
command = "sleep 600"

[docker.box]
image = "${IMAGES.busybox}"
command = ["sleep", "600"]
port = ${where === "container" ? taken : box}
container_port = 7000
stop_timeout = "1s"
`,
    )
    made.push(p)
    const holder = await holdPort(taken)
    try {
      const t = Date.now()
      const r = await p.run(["start", "-d"])
      const ms = Date.now() - t
      expect(r.exitCode).toBe(1)
      const out = r.stdout + r.stderr
      expect(out).toContain(`Port ${taken} is already in use`)
      expect(out).toContain(`pid ${holder.pid}`)
      expect(out).toContain("python3")
      // "Before anything starts" is proved below (no labelled resource, no process). The time is
      // taken around the whole `devrig start -d` process — its own start-up and the engine
      // lookup of port owners included — on a 2-core machine running 4 test files at once, so the
      // bound only rules out waiting for something (an image, a ready check: seconds each).
      expect(ms).toBeLessThan(5000)
      console.log(`[port-conflict/${where}] refused in ${ms} ms: ${r.stderr.split("\n")[0]}`)
      // nothing was started
      expect(await labelled(p.slug)).toEqual([])
      await assertCleanedUp(p, [other, box].filter((x) => x !== taken))
    } finally {
      holder.kill("SIGKILL")
      await holder.exited
    }
    // with the holder gone the same config starts, and a stop frees every port
    await waitFor(() => isPortFree(taken), "the held port to be released", 2000)
    await startDetached(p)
    const sup = p.supervisorPid()
    await stop(p)
    await assertCleanedUp(p, [taken, other, box], sup)
    await p.run(["delete"])
    expect(await labelled(p.slug)).toEqual([])
    for (const port of [taken, other, box]) await assertPortFree(port)
  }, 40_000)
}
