// A [docker.*] Postgres through the binary, as a user drives it: `start` waits for pg_isready and
// runs the init SQL, `stop`/`start` keeps the data and does not run init again, `reset` runs it
// again (at once while running, on the next start while stopped), `delete` removes it all.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { project, startDetached, stop, type Project } from "../../helpers/proc-fixtures.ts"
import { cleanupProjects } from "../faults/helpers.ts"
import { deleteAndProve, engineContainer, psql } from "./cli-fixtures.ts"

beforeAll(ensureTestImages, 300_000)
const made: Project[] = []
afterAll(() => cleanupProjects(made), 120_000)

test("postgres: pg_isready, init once across stop/start, reset runs it again, delete removes the volume", async () => {
  const p = project(
    "pgcli",
    `
[docker.postgres]
image = "${IMAGES.postgres}"
port = "auto"
env = { POSTGRES_USER = "devrig", POSTGRES_PASSWORD = "pw", POSTGRES_DB = "app" }
volumes = ["pgdata:/var/lib/postgresql/data"]
ready_check = { type = "pg_isready" }
init = [
  "CREATE TABLE IF NOT EXISTS runs (at timestamptz default now());",
  "INSERT INTO runs DEFAULT VALUES;",
]
stop_timeout = "5s"
`,
  )
  made.push(p)
  const count = () => psql(p, "postgres", "SELECT count(*) FROM runs")

  const r = await startDetached(p)
  expect(r.stdout).toMatch(/postgres\s.*ready/)
  expect(await count()).toBe("1")
  const volumes = (await engineContainer(p, "postgres"))!.volumes
  expect(Object.values(volumes)).toEqual([`devrig-${p.slug}-pgdata`])

  await stop(p)
  expect((await engineContainer(p, "postgres"))!.running).toBe(false)
  await startDetached(p)
  expect(await count()).toBe("1")

  const now = await p.run(["reset", "postgres"])
  expect(now.exitCode, now.stderr).toBe(0)
  expect(now.stdout).toContain("ran 2 init scripts in postgres")
  expect(await count()).toBe("2")

  await stop(p)
  const later = await p.run(["reset", "postgres"])
  expect(later.exitCode, later.stderr).toBe(0)
  expect(later.stdout).toContain("run again on the next `devrig start`")
  await startDetached(p)
  expect(await count()).toBe("3")

  await deleteAndProve(p)
}, 180_000)
