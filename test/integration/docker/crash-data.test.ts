// A database without a named volume keeps its data through everything but `devrig delete`: the
// supervisor SIGKILLed (its watchdog stops the container, never removes it), supervisor and
// watchdog both SIGKILLed (the next start stops the container the dead run left running, then
// starts the same one again), and a changed definition (the new container gets the old one's
// anonymous volume, as Compose does). The image declares its data directory a VOLUME, like the
// official postgres image.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { request } from "../../../src/docker/client.ts"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { freePort, isAlive, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"
import { cleanupProjects, watchdogPids } from "../faults/helpers.ts"
import { deleteAndProve, engineContainer, psql, volumeExists } from "./cli-fixtures.ts"

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
afterAll(() => cleanupProjects(made), 120_000)

const DATA = "/var/lib/postgresql/data"

/** A fixed host port: the next start must not trip over the port its own leftover container holds. */
const db = (port: number, extraEnv = "") => `
[docker.db]
image = "${IMAGES.postgresVolume}"
port = ${port}
env = { POSTGRES_USER = "devrig", POSTGRES_PASSWORD = "pw", POSTGRES_DB = "app"${extraEnv} }
ready_check = { type = "pg_isready" }
init = ["CREATE TABLE notes (body text); INSERT INTO notes VALUES ('init');"]
stop_timeout = "5s"
`

/** Starts the project, writes a row of our own and returns the container and its anonymous volume. */
async function upWithRow(name: string) {
  const port = await freePort()
  const p = project(name, db(port))
  made.push(p)
  await startDetached(p)
  expect(await psql(p, "db", "SELECT body FROM notes")).toBe("init")
  await psql(p, "db", "INSERT INTO notes VALUES ('mine')")
  const c = (await engineContainer(p, "db"))!
  const anon = c.volumes[DATA]!
  // No named volume: the data lives in the anonymous volume the image's VOLUME made.
  expect(anon).toMatch(/^[0-9a-f]{64}$/)
  return { p, c, anon, port }
}

const rows = (p: Project) => psql(p, "db", "SELECT body FROM notes ORDER BY body")

test("SIGKILL of the supervisor: the watchdog stops the database, never removes it; the next start has the data", async () => {
  const { p, c, anon } = await upWithRow("crashdb")
  const sup = p.supervisorPid()!
  const dogs = watchdogPids(p.dir)
  expect(dogs.length).toBe(1)
  process.kill(sup, "SIGKILL")
  await waitFor(() => !isAlive(sup) && dogs.every((d) => !isAlive(d)), "the watchdog to clean up and exit", 30_000, 100)

  const after = await engineContainer(p, "db")
  expect(after, "the container was removed after the crash").toBeDefined()
  expect(after).toEqual({ id: c.id, running: false, volumes: { [DATA]: anon } })

  await startDetached(p)
  expect((await engineContainer(p, "db"))!.id).toBe(c.id)
  // Our row is there, and init did not run a second time.
  expect(await rows(p)).toBe("init\nmine")

  await deleteAndProve(p, [anon])
}, 120_000)

test("SIGKILL of supervisor and watchdog, then a changed definition: the same data throughout, init once", async () => {
  const { p, c, anon, port } = await upWithRow("crashdb2")
  const sup = p.supervisorPid()!
  const dogs = watchdogPids(p.dir)
  for (const d of dogs) process.kill(d, "SIGKILL")
  process.kill(sup, "SIGKILL")
  await waitFor(() => !isAlive(sup) && dogs.every((d) => !isAlive(d)), "supervisor and watchdog to die", 10_000)
  // Nobody cleaned up: the database still runs on its own.
  expect((await engineContainer(p, "db"))?.running).toBe(true)

  // The next start stops what the dead run left running (freeing its port), then starts the same container again.
  await startDetached(p)
  expect(p.read(".devrig/supervisor.log")).toContain("stopping 1 container left running by a previous run")
  expect(await engineContainer(p, "db")).toEqual({ id: c.id, running: true, volumes: { [DATA]: anon } })
  expect(await rows(p)).toBe("init\nmine")

  // A changed env var is a new definition: a new container, with the old one's anonymous volume.
  await stop(p)
  p.write("devrig.toml", `[project]\nname = "crashdb2"\n${db(port, ', TZ = "UTC"')}`)
  await startDetached(p)
  const recreated = (await engineContainer(p, "db"))!
  expect(recreated.id).not.toBe(c.id)
  expect(recreated.volumes).toEqual({ [DATA]: anon })
  expect(await rows(p)).toBe("init\nmine")

  // The same through a hot reload of the running project.
  p.write("devrig.toml", `[project]\nname = "crashdb2"\n${db(port, ', TZ = "Europe/Paris"')}`)
  const reloaded = await waitFor(
    async () => {
      const now = await engineContainer(p, "db")
      return now && now.id !== recreated.id && now.running && (await p.component("db")).state === "ready" ? now : undefined
    },
    "the reloaded container to be ready",
    60_000,
    200,
  )
  expect(reloaded.volumes).toEqual({ [DATA]: anon })
  expect(await rows(p)).toBe("init\nmine")

  await deleteAndProve(p, [anon])
}, 180_000)

test("a path switched from the image's anonymous volume to a named one: the old volume is kept, unused, and named", async () => {
  // The postgres image's entrypoint runs any other command as it is: a cheap container with the VOLUME.
  const box = (volumes: string) => `[project]\nname = "volswitch"\n
[docker.box]
image = "${IMAGES.postgresVolume}"
command = ["sleep", "600"]
${volumes}
stop_timeout = "1s"
`
  const p = project("volswitch", "")
  made.push(p)
  p.write("devrig.toml", box(""))
  await startDetached(p)
  const anon = (await engineContainer(p, "box"))!.volumes[DATA]!
  expect(anon).toMatch(/^[0-9a-f]{64}$/)

  await stop(p)
  p.write("devrig.toml", box(`volumes = ["pgdata:${DATA}"]`))
  const r = await startDetached(p)
  expect(r.stdout).toContain(`its old anonymous volume is kept, unused (docker volume rm ${anon})`)
  expect((await engineContainer(p, "box"))!.volumes).toEqual({ [DATA]: `devrig-${p.slug}-pgdata` })
  expect(await volumeExists(anon)).toBe(true)

  await deleteAndProve(p)
  // Not devrig's any more: delete leaves it to the user, who was told.
  expect(await volumeExists(anon)).toBe(true)
  await request({ method: "DELETE", path: `/volumes/${anon}`, doing: "test: docker volume rm" })
}, 60_000)
