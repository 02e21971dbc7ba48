// Environment injection into real processes (a service dumps its env to a file) and discovery
// from outside with `devrig env`: DEVRIG_<NAME>_HOST/_PORT/_URL, PORT/HOST, [env], templates,
// env_file values (masked as **** unless --show-secrets), names with dashes.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test"
import { assertCleanedUp, envFile, freePort, killLeftovers, project, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"

setDefaultTimeout(60_000) // real processes, backoff and grace periods; every wait has its own deadline
afterAll(killLeftovers) // only does something when a test failed half-way

async function envProject() {
  const apiPort = await freePort()
  const p = project(
    "envs",
    `
[env]
SHARED = "everyone"
GREETING = "it's a \\"quoted\\" $$HOME value"

[services.my-api]
command = "env > api.env; exec python3 -m http.server $PORT"
port = ${apiPort}
env_file = ".env.api"

[services.worker]
command = "env > worker.env; exec python3 -m http.server $PORT"
port = "auto"
env = { API_ENDPOINT = "http://localhost:{{ services.my-api.port }}/v1", SHARED = "mine" }
depends_on = ["my-api"]

[services.noport]
command = "env > noport.env; exec sleep 600"
`,
    { files: { ".env.api": "SECRET_TOKEN=s3cr3t-value\nDB_PASSWORD='p@ss word'\n" } },
  )
  return { p, apiPort }
}

test("every service gets discovery vars, its own PORT/HOST, [env], templates and env_file values", async () => {
  const { p, apiPort } = await envProject()
  await startDetached(p)
  const sup = p.supervisorPid()
  const workerPort = (await p.component("worker")).port!
  await waitFor(() => p.read("worker.env") && p.read("api.env") && p.read("noport.env"), "env dumps")
  const api = envFile(p, "api.env")
  const worker = envFile(p, "worker.env")
  const noport = envFile(p, "noport.env")

  for (const env of [api, worker, noport]) {
    // my-api → DEVRIG_MY_API_*
    expect(env.DEVRIG_MY_API_HOST).toBe("localhost")
    expect(env.DEVRIG_MY_API_PORT).toBe(String(apiPort))
    expect(env.DEVRIG_MY_API_URL).toBe(`http://localhost:${apiPort}`)
    expect(env.DEVRIG_WORKER_PORT).toBe(String(workerPort))
    expect(env.DEVRIG_WORKER_URL).toBe(`http://localhost:${workerPort}`)
    // a service without a port: a host, no port or URL
    expect(env.DEVRIG_NOPORT_HOST).toBe("localhost")
    expect(env.DEVRIG_NOPORT_PORT).toBeUndefined()
    expect(env.DEVRIG_NOPORT_URL).toBeUndefined()
    // [env] reaches everyone ($$ is a literal $)
    expect(env.GREETING).toBe(`it's a "quoted" $HOME value`)
  }
  // own port
  expect(api.PORT).toBe(String(apiPort))
  expect(api.HOST).toBe("localhost")
  expect(worker.PORT).toBe(String(workerPort))
  expect(noport.PORT).toBeUndefined()
  // explicit config wins over [env]; templates see the assigned ports
  expect(api.SHARED).toBe("everyone")
  expect(worker.SHARED).toBe("mine")
  expect(worker.API_ENDPOINT).toBe(`http://localhost:${apiPort}/v1`)
  // env_file: only for the service that names it
  expect(api.SECRET_TOKEN).toBe("s3cr3t-value")
  expect(api.DB_PASSWORD).toBe("p@ss word")
  expect(worker.SECRET_TOKEN).toBeUndefined()
  // the run marker that cleanup relies on
  expect(api.DEVRIG_RUN).toBe(`${p.slug}/my-api`)
  expect(worker.DEVRIG_RUN).toBe(`${p.slug}/worker`)
  // the user's environment is the base
  expect(worker.XDG_STATE_HOME).toBe(p.xdg)

  await stop(p)
  await assertCleanedUp(p, [apiPort, workerPort], sup)
})

test("devrig env: full listing (env_file values masked), one variable, --show-secrets, --export for eval", async () => {
  const { p, apiPort } = await envProject()
  await startDetached(p)
  const sup = p.supervisorPid()
  const workerPort = (await p.component("worker")).port!

  const list = await p.run(["env", "my-api"])
  expect(list.exitCode).toBe(0)
  const lines = list.stdout.trim().split("\n")
  expect(lines).toEqual([...lines].sort())
  expect(lines).toContain(`DEVRIG_MY_API_URL=http://localhost:${apiPort}`)
  expect(lines).toContain(`DEVRIG_WORKER_PORT=${workerPort}`)
  expect(lines).toContain(`PORT=${apiPort}`)
  expect(lines).toContain("HOST=localhost")
  expect(lines).toContain("SHARED=everyone")
  expect(lines).toContain("SECRET_TOKEN=****")
  expect(lines).toContain("DB_PASSWORD=****")
  expect(list.stdout).not.toContain("s3cr3t-value")
  // only devrig's variables, not the caller's whole environment
  expect(list.stdout).not.toContain("XDG_STATE_HOME=")

  const shown = await p.run(["env", "my-api", "--show-secrets"])
  expect(shown.stdout).toContain("SECRET_TOKEN=s3cr3t-value")

  // One variable: the real value, nothing else.
  expect((await p.run(["env", "my-api", "DEVRIG_WORKER_URL"])).stdout).toBe(`http://localhost:${workerPort}\n`)
  expect((await p.run(["env", "my-api", "SECRET_TOKEN"])).stdout).toBe("s3cr3t-value\n")
  expect((await p.run(["env", "worker", "API_ENDPOINT"])).stdout).toBe(`http://localhost:${apiPort}/v1\n`)
  const missing = await p.run(["env", "my-api", "NOPE_VAR"])
  expect(missing.exitCode).toBe(1)
  expect(missing.stderr).toContain("my-api has no variable NOPE_VAR")

  // --export is eval-able in sh, quotes included.
  const exp = await p.run(["env", "--export", "my-api"])
  expect(exp.exitCode).toBe(0)
  for (const l of exp.stdout.trim().split("\n")) expect(l).toMatch(/^export [A-Z_][A-Z0-9_]*='/)
  const sh = Bun.spawnSync(["sh", "-c", `eval "$("$0" env --export my-api)"; printf '%s|%s|%s|%s' "$DEVRIG_MY_API_PORT" "$GREETING" "$SECRET_TOKEN" "$DB_PASSWORD"`, (await import("../../helpers/cli.ts")).BIN], {
    cwd: p.dir,
    env: { ...process.env, ...p.env },
  })
  expect(sh.stdout.toString()).toBe(`${apiPort}|it's a "quoted" $HOME value|s3cr3t-value|p@ss word`)

  await stop(p)
  await assertCleanedUp(p, [apiPort, workerPort], sup)

  // Stopped: the same answers from the config and the stored ports.
  expect((await p.run(["env", "worker", "PORT"])).stdout).toBe(`${workerPort}\n`)
  const offline = await p.run(["env", "my-api"])
  expect(offline.exitCode).toBe(0)
  expect(offline.stdout).toContain("SECRET_TOKEN=****")
  expect(offline.stdout).toContain(`DEVRIG_WORKER_URL=http://localhost:${workerPort}`)
})
