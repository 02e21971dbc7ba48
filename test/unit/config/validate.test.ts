// Semantic checks (after the schema): names, clashes, depends_on, cycles, ports, relative paths,
// commands and template references — each message at the line and column of the culprit.
import { describe, expect, test } from "bun:test"
import { semanticProblems } from "../../../src/config/validate.ts"
import type { Config } from "../../../src/config/schema.ts"
import { inspect, problemsOf } from "./helpers.ts"

describe("depends_on", () => {
  test("an unknown component is named, with a suggestion, at the array element", () => {
    expect(problemsOf(`\n[docker.postgres]\nimage = "postgres:16"\n\n[services.api]\ncommand = "x"\ndepends_on = ["postgress"]\n`)).toEqual([
      "9:15 depends_on names unknown component `postgress` (did you mean `postgres`?)",
    ])
  })

  test("a service that depends on itself", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\ndepends_on = ["api"]\n`)).toEqual(["6:15 `api` depends on itself"])
  })

  test("compose services, deploys and addons are valid targets", () => {
    const lines = problemsOf(
      `\n[compose]\nfile = "compose.yml"\nservices = ["db"]\n\n[cluster.deploy.api]\ncontext = "."\nmanifests = "k8s"\n\n[cluster.addons.traefik]\ntype = "helm"\nchart = "traefik/traefik"\n\n[services.web]\ncommand = "x"\ndepends_on = ["db", "api", "traefik"]\n`,
    )
    expect(lines).toEqual([])
  })

  test("compose services are read from the compose file when not listed", () => {
    const toml = `\n[compose]\nfile = "compose.yml"\n\n[services.web]\ncommand = "x"\ndepends_on = ["redis", "mysql"]\n`
    expect(problemsOf(toml, { "compose.yml": "services:\n  redis:\n    image: redis\n" })).toEqual([
      "9:24 depends_on names unknown component `mysql`",
    ])
  })
})

describe("cycles", () => {
  test("a two-service cycle is named `api -> worker -> api`", () => {
    const lines = problemsOf(`\n[services.api]\ncommand = "x"\ndepends_on = ["worker"]\n\n[services.worker]\ncommand = "y"\ndepends_on = ["api"]\n`)
    expect(lines).toEqual(["6:1 dependency cycle: api -> worker -> api"])
  })

  test("a longer cycle through a container", () => {
    const lines = problemsOf(
      `\n[docker.db]\nimage = "x"\ndepends_on = ["web"]\n\n[services.api]\ncommand = "x"\ndepends_on = ["db"]\n\n[services.web]\ncommand = "y"\ndepends_on = ["api"]\n`,
    )
    expect(lines).toEqual(["10:1 dependency cycle: api -> db -> web -> api"])
  })

  test("a self-dependency is reported once, not also as a cycle", () => {
    const lines = problemsOf(`\n[services.a]\ncommand = "x"\ndepends_on = ["a", "b"]\n\n[services.b]\ncommand = "y"\n`)
    expect(lines).toEqual(["6:15 `a` depends on itself"])
  })

  test("a deploy inherits the depends_on of the service it replaces", () => {
    const lines = problemsOf(
      `\n[services.api]\ncommand = "x"\ndepends_on = ["worker"]\n\n[services.worker]\ncommand = "y"\n\n[cluster.deploy.worker]\ncontext = "."\nmanifests = "k8s"\ndepends_on = ["api"]\n`,
    )
    expect(lines).toEqual(["6:1 dependency cycle: api -> worker -> api"])
  })
})

describe("ports", () => {
  test("the same fixed host port twice", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\nport = 3000\n\n[services.web]\ncommand = "y"\nport = 3000\n`)).toEqual([
      "10:1 port 3000 is claimed by both [services.api] and [services.web]",
    ])
  })

  test("a container's named host:container port against a service port", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\nport = 8025\n\n[docker.mail]\nimage = "mailpit"\nports = { smtp = 1025, ui = "8025:8025" }\n`)).toEqual([
      "10:24 port 8025 is claimed by both [services.api] and [docker.mail] ports.ui",
    ])
  })

  test("explicit dashboard ports count, unless the dashboard is disabled; defaults are not claimed", () => {
    const body = (enabled: boolean) => `\n[services.api]\ncommand = "x"\nport = 4317\n\n[dashboard]\nenabled = ${enabled}\n`
    expect(problemsOf(body(true))).toEqual([])
    expect(problemsOf(`${body(true)}[dashboard.otel]\ngrpc_port = 4317\n`)).toEqual(["11:1 port 4317 is claimed by both [services.api] and [dashboard.otel] grpc_port"])
    expect(problemsOf(`${body(false)}[dashboard.otel]\ngrpc_port = 4317\n`)).toEqual([])
  })

  test('"auto" ports never clash', () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\nport = "auto"\n\n[services.web]\ncommand = "y"\nport = "auto"\n`)).toEqual([])
  })
})

describe("paths", () => {
  test("absolute paths are rejected wherever a path appears", () => {
    const lines = problemsOf(
      [
        "",
        "[services.api]",
        'command = "x"',
        'path = "/home/me/api"',
        'env_file = ["/etc/secrets.env"]',
        "",
        "[docker.db]",
        'image = "postgres"',
        'volumes = ["pgdata:/var/lib/postgresql/data", "/srv/data:/data"]',
        "",
        "[cluster.deploy.web]",
        'context = "/abs/web"',
        'manifests = "k8s"',
        "",
      ].join("\n"),
    )
    const why = "paths must be relative to devrig.toml (use ../ for sibling repositories)"
    expect(lines).toEqual([
      `6:1 absolute path "/home/me/api": ${why}`,
      `7:13 absolute path "/etc/secrets.env": ${why}`,
      `11:47 absolute path "/srv/data": ${why}`,
      `14:1 absolute path "/abs/web": ${why}`,
    ])
  })

  test("relative paths, ../ siblings and named volumes are fine", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\npath = "../other-repo/api"\n\n[docker.db]\nimage = "x"\nvolumes = ["pgdata:/data", "./init:/docker-entrypoint-initdb.d"]\n`)).toEqual([])
  })
})

describe("names", () => {
  test("a service and a container may not share a name", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\n\n[docker.api]\nimage = "x"\n`)).toEqual([
      "7:1 `api` is both a service and a docker container; names must be unique",
    ])
  })

  test("a [cluster.deploy.X] may share a service's name (it replaces the service)", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\n\n[cluster.deploy.api]\ncontext = "./api"\nmanifests = "./k8s"\n`)).toEqual([])
  })

  test("an addon may not share a component's name", () => {
    expect(problemsOf(`\n[docker.traefik]\nimage = "traefik"\n\n[cluster.addons.traefik]\ntype = "helm"\nchart = "traefik/traefik"\n`)).toEqual([
      "7:1 addon `traefik` clashes with a component of the same name",
    ])
  })

  test("a compose service may not share a service's name", () => {
    expect(problemsOf(`\n[compose]\nfile = "c.yml"\nservices = ["api"]\n\n[services.api]\ncommand = "x"\n`)).toEqual([
      "6:1 compose service `api` clashes with a [services] or [docker] block of the same name",
    ])
  })

  test("names with characters Docker cannot carry", () => {
    expect(problemsOf(`\n[services."my api"]\ncommand = "x"\n`)).toEqual(['4:1 invalid name `my api`: use letters, digits, "-", "_" or "."'])
  })
})

describe("commands", () => {
  test("a service needs a command or detect", () => {
    expect(problemsOf(`\n[services.api]\nport = 3000\n`)).toEqual(["4:1 [services.api] needs a `command` (or `detect = true`)"])
  })

  test("pg_isready only works for containers", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\nready_check = { type = "pg_isready" }\n`)).toEqual([
      '6:17 ready_check type "pg_isready" only works for [docker.*] containers',
    ])
  })

  test("a manifest addon needs exactly one of path or url", () => {
    expect(problemsOf(`\n[cluster.addons.dash]\ntype = "manifest"\n`)).toEqual(["4:1 manifest addon `dash` needs exactly one of `path` or `url`"])
  })
})

describe("template references", () => {
  test("an unknown reference suggests the closest one", () => {
    expect(
      problemsOf(`\n[docker.postgres]\nimage = "postgres:16"\nport = 5432\n\n[services.api]\ncommand = "x"\nenv = { DATABASE_URL = "postgres://localhost:{{ docker.postgres.prot }}/app" }\n`),
    ).toEqual(["10:9 DATABASE_URL: unknown template reference {{ docker.postgres.prot }} (did you mean `docker.postgres.port`?)"])
  })

  test("a component without a port has no port to reference", () => {
    expect(problemsOf(`\n[services.web]\ncommand = "x"\n\n[services.api]\ncommand = "run --upstream=localhost:{{ services.web.port }}"\n`)).toEqual([
      "8:1 command: unknown template reference {{ services.web.port }}: [services.web] has no `port` to reference",
    ])
  })

  test("a component that does not exist is named as such, with a suggestion", () => {
    const toml = `\n[services.api]\ncommand = "x"\nport = 3000\n\n[services.web]\ncommand = "y"\nenv = { A = "{{ services.nosuch.port }}", B = "{{ services.apo.port }}" }\n`
    expect(problemsOf(toml)).toEqual([
      "10:9 A: unknown template reference {{ services.nosuch.port }}: no component `nosuch` exists",
      "10:43 B: unknown template reference {{ services.apo.port }}: no component `apo` exists (did you mean `api`?)",
    ])
  })

  test("a component of another kind, and a named port that does not exist", () => {
    const toml = `\n[docker.mail]\nimage = "mailpit"\nport = 8025\nports = { smtp = 1025 }\n\n[docker.app]\nimage = "app"\ncommand = ["run", "{{ services.mail.port }}", "{{ docker.mail.ports.smpt }}", "{{ docker.mail.ports.admin }}"]\n`
    expect(problemsOf(toml)).toEqual([
      "11:19 command[1]: unknown template reference {{ services.mail.port }}: `mail` is a [docker.*] container, not a service (use {{ docker.mail.port }})",
      "11:47 command[2]: unknown template reference {{ docker.mail.ports.smpt }}: [docker.mail] has no port named `smpt` (did you mean `smtp`?)",
      "11:79 command[3]: unknown template reference {{ docker.mail.ports.admin }}: [docker.mail] has no port named `admin`",
    ])
  })

  test("project, cluster and named-port references are known", () => {
    const body = `\n[cluster]\nname = "{{ project.name }}-k3d"\n\n[docker.mail]\nimage = "mailpit"\nports = { smtp = 1025 }\n\n[services.api]\ncommand = "x"\nenv = { A = "{{ project.slug }}", B = "{{ project.id }}", C = "{{ cluster.name }}", D = "{{ docker.mail.ports.smtp }}" }\n`
    expect(problemsOf(body)).toEqual([])
  })

  test("cluster.name cannot reference itself", () => {
    expect(problemsOf(`\n[cluster]\nname = "{{ cluster.name }}"\n`)).toEqual(["5:1 cluster.name cannot reference itself"])
  })
})

describe("all problems at once", () => {
  test("schema and semantic problems from the whole file are reported together, in file order", () => {
    const toml = [
      "[project]",
      'name = "demo"',
      'naem = "x"',
      "",
      "[services.api]",
      'command = "run api"',
      "port = 3000",
      'depends_on = ["worker", "postgress"]',
      "prot = 1",
      "",
      "[services.worker]",
      'command = "run worker"',
      "port = 3000",
      'depends_on = ["api"]',
      'path = "/abs/path"',
      "",
      "[docker.postgres]",
      'image = "postgres:16"',
      'env = { URL = "{{ docker.postgres.prot }}" }',
      "",
      "[docker.api]",
      'image = "x"',
      "",
    ].join("\n")
    expect(inspect(toml).lines).toEqual([
      "3:1 unknown key `naem` in [project] (did you mean `name`?)",
      "8:1 dependency cycle: api -> worker -> api",
      "8:25 depends_on names unknown component `postgress` (did you mean `postgres`?)",
      "9:1 unknown key `prot` in [services.api] (did you mean `port`?)",
      "13:1 port 3000 is claimed by both [services.api] and [services.worker]",
      '15:1 absolute path "/abs/path": paths must be relative to devrig.toml (use ../ for sibling repositories)',
      "19:9 URL: unknown template reference {{ docker.postgres.prot }}",
      "21:1 `api` is both a service and a docker container; names must be unique",
    ])
  })

  test("a check that trips over a mistyped value contributes nothing instead of crashing", () => {
    const broken = { project: { name: "x" }, services: { api: { depends_on: 5, command: 1 } }, docker: "nope" } as unknown as Config
    expect(() => semanticProblems(broken, { composeServices: [] })).not.toThrow()
  })
})
