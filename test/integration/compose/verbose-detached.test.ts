// Regression: `devrig start -d --verbose` wrote the exact Compose command lines (the Compose
// contract's --verbose: command line, directory, compose file) only to the background supervisor's
// log; the terminal, as in the foreground, must show them.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { killLeftovers, project, type Project } from "../../helpers/proc-fixtures.ts"
import { cleanupProjects } from "../faults/helpers.ts"

setDefaultTimeout(120_000)
const made: Project[] = []
beforeAll(ensureTestImages, 300_000)
afterAll(async () => {
  killLeftovers()
  await cleanupProjects(made)
})

test("start -d --verbose prints each Compose command line, its directory and the compose file", async () => {
  const p = project("cverbose", `[compose]\nfile = "docker-compose.yml"\n`, {
    files: { "docker-compose.yml": `services:\n  web:\n    image: ${IMAGES.busybox}\n    init: true\n    command: ["sleep", "3600"]\n` },
  })
  made.push(p)
  const r = await p.run(["start", "-d", "--verbose"])
  expect(r.exitCode, r.stderr + p.read(".devrig/supervisor.log")).toBe(0)
  const file = `${p.dir}/docker-compose.yml`
  expect(r.stdout).toMatch(new RegExp(`compose: command: .*devrig-${p.slug}.* up -d`))
  expect(r.stdout).toContain(`compose: directory: ${p.dir}`)
  expect(r.stdout).toContain(`compose: file: ${file}`)
  expect((await p.run(["stop"])).exitCode).toBe(0)
})
