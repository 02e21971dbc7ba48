// Postgres lifecycle on the real engine: ready check, init once, data kept across stop/start,
// reset re-runs init, delete removes the volume.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { SQL } from "bun"
import { execRun } from "../../../src/docker/exec.ts"
import { initHash } from "../../../src/docker/init.ts"
import { deleteProject, rerunInit, stopContainers, upContainers } from "../../../src/docker/phase.ts"
import { containerUrl } from "../../../src/docker/urls.ts"
import { inspectContainer } from "../../../src/docker/containers.ts"
import { names } from "../../../src/project/identity.ts"
import type { InitRecord } from "../../../src/project/state.ts"
import type { ComponentState } from "../../../src/status.ts"
import { IMAGES, assertNoResources, container, ensureTestImages, freePort, resources, testIdentity } from "../../helpers/docker.ts"

const ident = testIdentity("pg")

beforeAll(ensureTestImages, 300_000)
afterAll(async () => {
  await deleteProject(ident.slug)
  await assertNoResources(ident.slug)
}, 60_000)

test("postgres: ready, init once, data survives stop/start, reset re-runs init, delete removes the volume", async () => {
  const port = await freePort()
  const pg = container("postgres", {
    image: IMAGES.postgres,
    port: { host: port, container: 0, protocol: "tcp", auto: false },
    env: { POSTGRES_USER: "devrig", POSTGRES_PASSWORD: "s3cret:/x" },
    volumes: [{ type: "volume", source: "pgdata", target: "/var/lib/postgresql/data", readOnly: false }],
    readyCheck: { type: "pg_isready" },
    init: ["CREATE DATABASE myapp;", "\\c myapp\nCREATE TABLE notes (body text); INSERT INTO notes VALUES ('from init');"],
  })
  const initDone: Record<string, InitRecord> = {}
  const states: string[] = []
  const hooks = {
    onStatus: (name: string, state: ComponentState) => states.push(`${name}:${state}`),
    initDone: (name: string) => initDone[name],
    markInitDone: (name: string, record: InitRecord) => void (initDone[name] = record),
  }

  const first = await upContainers(ident, [[pg]], hooks)
  expect(states.at(-1)).toBe("postgres:ready")
  expect(first.postgres!.ports.main).toEqual({ host: port, container: 5432, protocol: "tcp" })
  // Recorded for this container and its volume.
  expect(initDone.postgres).toMatchObject({ hash: initHash(pg.init), container: first.postgres!.id })
  expect(initDone.postgres!.volumes).toEqual([expect.stringMatching(new RegExp(`^${names.volume(ident.slug, "pgdata")}@[0-9a-f]{16}$`))])

  // A real client on the host, with the URL the env builder would inject.
  const url = containerUrl(pg)!
  expect(url).toBe(`postgres://devrig:s3cret%3A%2Fx@localhost:${port}`)
  const sql = new SQL(`${url}/myapp`)
  try {
    await sql`INSERT INTO notes VALUES ('from client')`
    expect((await sql`SELECT body FROM notes ORDER BY body`).map((r: { body: string }) => r.body)).toEqual(["from client", "from init"])
  } finally {
    await sql.close()
  }

  // Stop + start: the volume keeps the data, the unchanged container is reused, init is skipped.
  await stopContainers(ident.slug)
  expect((await inspectContainer(first.postgres!.id))?.running).toBe(false)
  const second = await upContainers(ident, [[pg]], hooks)
  expect(second.postgres!.id).toBe(first.postgres!.id)
  expect(second.postgres!.created).toBe(false)
  const count = await execRun(second.postgres!.id, ["psql", "-U", "devrig", "-d", "myapp", "-tAc", "SELECT count(*) FROM notes"])
  expect(count).toMatchObject({ exitCode: 0, output: "2" })

  // `devrig reset postgres`: init again on demand. CREATE DATABASE now fails, which proves it ran.
  await expect(rerunInit(ident, pg)).rejects.toThrow(/init script 1 of 2 failed/)
  const idempotent = { ...pg, init: ["INSERT INTO notes VALUES ('reset')"], env: { ...pg.env, POSTGRES_DB: "myapp" } }
  // A changed env is a changed definition, so this also exercises recreate-on-change.
  const third = await upContainers(ident, [[idempotent]], hooks)
  expect(third.postgres!.created).toBe(true)
  expect(third.postgres!.id).not.toBe(first.postgres!.id)
  expect(await rerunInit(ident, idempotent)).toMatchObject({ hash: initHash(idempotent.init), container: third.postgres!.id })
  const after = await execRun(third.postgres!.id, ["psql", "-U", "devrig", "-d", "myapp", "-tAc", "SELECT count(*) FROM notes"])
  // 2 from before + the changed init's first run during start + the reset run.
  expect(after.output).toBe("4")

  const report = await deleteProject(ident.slug)
  expect(report.volumes).toEqual([names.volume(ident.slug, "pgdata")])
  expect(report.containers).toEqual([names.container(ident.slug, "postgres")])
  expect(report.networks).toEqual([names.network(ident.slug)])
  expect(await resources(ident.slug)).toEqual({ containers: [], volumes: [], networks: [] })
}, 120_000)
