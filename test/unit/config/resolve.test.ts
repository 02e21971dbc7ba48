// Resolve: defaults, env files, $VAR expansion, secret tracking, templates and volumes.
import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { loadProject, resolveWithPorts } from "../../../src/config/load.ts"
import { ConfigError } from "../../../src/config/problems.ts"
import { parseVolume } from "../../../src/config/resolve.ts"
import { DEFAULTS } from "../../../src/config/schema.ts"
import { maskEnv } from "../../../src/cli/plan.ts"
import { tempProject } from "../../helpers/cli.ts"
import { inspect, MINIMAL } from "./helpers.ts"

async function resolved(toml: string, files: Record<string, string> = {}) {
  const p = tempProject(toml, files)
  return { ...(await loadProject({ cwd: p.dir })), dir: p.dir }
}

describe("$VAR expansion", () => {
  test("an undefined variable is a problem that names the key", () => {
    const { lines } = inspect(`${MINIMAL}\n[services.api]\ncommand = "x"\nenv = { TOKEN = "$DEVRIG_TEST_SURELY_UNDEFINED_1" }\n`)
    expect(lines).toEqual([
      "6:9 TOKEN: undefined variable $DEVRIG_TEST_SURELY_UNDEFINED_1 (define it in the environment or an env_file; use $$ for a literal $)",
    ])
  })

  test("`$$` is a literal dollar sign", async () => {
    const { config } = await resolved(`${MINIMAL}\n[env]\nPRICE = "$$5"\nBOTH = "$$HOME"\n\n[services.api]\ncommand = "x"\n`)
    expect(config.services.api!.env.PRICE).toBe("$5")
    expect(config.services.api!.env.BOTH).toBe("$HOME")
  })

  test("variables come from the user's environment, ${braced} or bare", async () => {
    process.env.DEVRIG_TEST_RESOLVE_USER = "alice"
    const { config } = await resolved(`${MINIMAL}\n[services.api]\ncommand = "x"\nenv = { A = "$DEVRIG_TEST_RESOLVE_USER", B = "\${DEVRIG_TEST_RESOLVE_USER}-x" }\n`)
    expect(config.services.api!.env).toMatchObject({ A: "alice", B: "alice-x" })
  })

  test("a container image may use $VAR from its env file", async () => {
    const { config } = await resolved(`${MINIMAL}\n[docker.db]\nimage = "postgres:$PG_VERSION"\nenv_file = "db.env"\n`, { "db.env": "PG_VERSION=16\n" })
    expect(config.docker.db!.image).toBe("postgres:16")
  })
})

describe("env files", () => {
  const toml = `[project]\nname = "demo"\nenv_file = ".env"\n\n[env]\nSHARED = "plain"\n\n[services.api]\ncommand = "x"\nenv_file = "api.env"\nenv = { DATABASE_URL = "postgres://app:\${DB_PASS}@localhost/app", LITERAL = "visible" }\n`
  const files = { ".env": "# shared\nAPI_KEY=k-123\n", "api.env": 'export DB_PASS="s3cret"\n' }

  test("values from env files reach the service and are marked secret", async () => {
    const { config } = await resolved(toml, files)
    const api = config.services.api!
    expect(api.env).toMatchObject({ API_KEY: "k-123", DB_PASS: "s3cret", SHARED: "plain", DATABASE_URL: "postgres://app:s3cret@localhost/app", LITERAL: "visible" })
    expect(api.secretKeys.sort()).toEqual(["API_KEY", "DATABASE_URL", "DB_PASS"])
  })

  test("masking hides secret values and keeps the rest", async () => {
    const { config } = await resolved(toml, files)
    const api = config.services.api!
    expect(maskEnv(api.env, api.secretKeys, false)).toMatchObject({ API_KEY: "****", DB_PASS: "****", DATABASE_URL: "****", LITERAL: "visible", SHARED: "plain" })
    expect(maskEnv(api.env, api.secretKeys, true).DB_PASS).toBe("s3cret")
    expect(config.secretKeys).toEqual(["API_KEY"])
  })

  test("an explicit env value overriding an env-file key is no longer secret", async () => {
    const { config } = await resolved(`${MINIMAL}\n[services.api]\ncommand = "x"\nenv_file = "a.env"\nenv = { TOKEN = "public" }\n`, { "a.env": "TOKEN=hidden\n" })
    expect(config.services.api!.env.TOKEN).toBe("public")
    expect(config.services.api!.secretKeys).toEqual([])
  })

  test("a missing env file and a malformed line are problems at the env_file key", () => {
    const { lines, path } = inspect(`${MINIMAL}\n[services.api]\ncommand = "x"\nenv_file = ["ok.env", "missing.env"]\n`, { "ok.env": "GOOD=1\nnot a pair\n" })
    expect(lines).toEqual([
      '6:13 ok.env:2: expected KEY=value, found "not a pair"',
      `6:23 env_file not found: ${join(path, "..", "missing.env")}`,
    ])
  })
})

describe("templates", () => {
  test("port references render to the assigned ports, including auto ports", async () => {
    const toml = `${MINIMAL}\n[docker.postgres]\nimage = "postgres:16"\nport = 5432\n\n[docker.redis]\nimage = "redis"\nport = "auto"\n\n[services.api]\ncommand = "serve --port {{ services.api.port }}"\nport = 3000\nenv = { DATABASE_URL = "postgres://localhost:{{ docker.postgres.port }}/app", REDIS = "redis://localhost:{{ docker.redis.port }}", P = "{{ project.name }}" }\n`
    const { config } = await resolved(toml)
    const redis = config.docker.redis!.port!.host
    expect(config.docker.redis!.port!.auto).toBe(true)
    expect(redis).toBeGreaterThanOrEqual(DEFAULTS.autoPortMin)
    expect(config.services.api!.command).toBe("serve --port 3000")
    expect(config.services.api!.env).toMatchObject({ DATABASE_URL: "postgres://localhost:5432/app", REDIS: `redis://localhost:${redis}`, P: "demo" })
  })

  test("resolveWithPorts renders with the ports it is given", async () => {
    const p = tempProject(`${MINIMAL}\n[services.api]\ncommand = "x"\nport = "auto"\nenv = { SELF = "{{ services.api.port }}" }\n`)
    const { loaded } = await loadProject({ cwd: p.dir })
    expect(resolveWithPorts(loaded, { "services.api": 45678 }).services.api!.env.SELF).toBe("45678")
    expect(() => resolveWithPorts(loaded, {})).toThrow(ConfigError)
  })

  test("the cluster name defaults to {project}-dev and may use templates", async () => {
    expect((await resolved(`${MINIMAL}\n[cluster]\n`)).config.cluster!.name).toBe("demo-dev")
    const { config } = await resolved(`${MINIMAL}\n[cluster]\nname = "{{ project.name }}-k3d"\n`)
    expect(config.cluster!.name).toBe("demo-k3d")
    expect(config.cluster!.k3dName).toBe(`devrig-${config.identity.slug}`)
  })
})

describe("defaults and shapes", () => {
  test("a service gets the documented defaults", async () => {
    const { config, dir } = await resolved(`${MINIMAL}\n[services.api]\ncommand = "x"\n`)
    expect(config.services.api).toMatchObject({
      cwd: dir,
      restart: "on-failure",
      maxRestarts: DEFAULTS.maxRestarts,
      stopTimeoutMs: DEFAULTS.stopTimeoutMs,
      onDependencyRestart: "ignore",
      dependsOn: [],
      autoPort: false,
    })
    expect(config.dashboard).toBeUndefined()
  })

  test("[dashboard] with no keys gets every default", async () => {
    const { config } = await resolved(`${MINIMAL}\n[dashboard]\n`)
    expect(config.dashboard).toEqual({
      enabled: true,
      port: 4000,
      grpcPort: 4317,
      httpPort: 4318,
      explicit: { port: false, grpcPort: false, httpPort: false },
      traceBuffer: 10_000,
      metricBuffer: 50_000,
      logBuffer: 100_000,
      retentionMs: 3_600_000,
      auth: true,
      corsOrigins: [],
    })
  })

  test("durations parse", async () => {
    const { config } = await resolved(`${MINIMAL}\n[services.api]\ncommand = "x"\nstop_timeout = "500ms"\n\n[dashboard.otel]\nretention = "30m"\n`)
    expect(config.services.api!.stopTimeoutMs).toBe(500)
    expect(config.dashboard!.retentionMs).toBe(1_800_000)
  })

  test("a service replaced by a [cluster.deploy] block does not run locally", async () => {
    const { config } = await resolved(`${MINIMAL}\n[services.api]\ncommand = "x"\ndepends_on = ["db"]\n\n[docker.db]\nimage = "x"\n\n[cluster.deploy.api]\ncontext = "./api"\nmanifests = "./k8s"\n`)
    expect(config.services.api).toBeUndefined()
    expect(config.cluster!.deploy.api!.dependsOn).toEqual(["db"])
  })

  test("docker command strings are split like a shell", async () => {
    const { config } = await resolved(`${MINIMAL}\n[docker.r]\nimage = "redis"\ncommand = "redis-server --save '' --appendonly no"\n`)
    expect(config.docker.r!.command).toEqual(["redis-server", "--save", "", "--appendonly", "no"])
  })

  test("named ports keep host, container and protocol", async () => {
    const { config } = await resolved(`${MINIMAL}\n[docker.mail]\nimage = "mailpit"\nports = { smtp = 1025, ui = "8025:80", dns = "5353:53/udp" }\n`)
    expect(config.docker.mail!.ports).toEqual({
      smtp: { host: 1025, container: 1025, protocol: "tcp", auto: false },
      ui: { host: 8025, container: 80, protocol: "tcp", auto: false },
      dns: { host: 5353, container: 53, protocol: "udp", auto: false },
    })
  })
})

describe("parseVolume", () => {
  test("a named volume is scoped to the project slug", () => {
    expect(parseVolume("pgdata:/var/lib/postgresql/data", "/p", "app-12345678")).toEqual({
      type: "volume",
      source: "devrig-app-12345678-pgdata",
      target: "/var/lib/postgresql/data",
      readOnly: false,
    })
  })

  test("a relative bind mount is made absolute; :ro is read-only", () => {
    expect(parseVolume("./init:/docker-entrypoint-initdb.d:ro", "/p", "s")).toEqual({ type: "bind", source: "/p/init", target: "/docker-entrypoint-initdb.d", readOnly: true })
  })
})
