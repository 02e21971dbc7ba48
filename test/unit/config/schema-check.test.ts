// The schema walker's messages: unknown keys with a suggestion, missing keys, wrong types in TOML
// terms, literal unions, tagged unions, ranges and patterns — each at the right line:column.
import { describe, expect, test } from "bun:test"
import { Type } from "@sinclair/typebox"
import { checkSchema, tomlType } from "../../../src/config/check-schema.ts"
import { Config } from "../../../src/config/schema.ts"
import { inspect, problemsOf } from "./helpers.ts"

describe("unknown keys", () => {
  test("a misspelled service key is reported with a suggestion at its line and column", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "run"\nprot = 3000\n`)).toEqual([
      "6:1 unknown key `prot` in [services.api] (did you mean `port`?)",
    ])
  })

  test("inside an inline table the column points at the key", () => {
    expect(problemsOf(`\n[docker.redis]\nimage = "redis:7"\nready_check = { type = "tcp", prot = 1 }\n`)).toEqual([
      "6:31 unknown key `prot` in [docker.redis.ready_check] (did you mean `port`?)",
    ])
  })

  test("a top-level typo suggests the section", () => {
    expect(problemsOf(`\n[servics.api]\ncommand = "x"\n`)).toEqual(["4:1 unknown key `servics` in the top level (did you mean `services`?)"])
  })

  test("a key far from every known one gets no suggestion", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\nzzzzzzzz = 1\n`)).toEqual(["6:1 unknown key `zzzzzzzz` in [services.api]"])
  })

  test("[network] takes no keys", () => {
    expect(problemsOf(`\n[network]\nname = "mine"\n`)).toEqual(["5:1 unknown key `name` in [network]"])
  })
})

describe("missing keys", () => {
  test("[project] without a name", () => {
    expect(inspect(`[project]\n`).lines).toEqual(["1:1 [project] is missing `name` (project name; prefixes every resource devrig creates)"])
  })

  test("[docker.x] without an image", () => {
    expect(problemsOf(`\n[docker.cache]\nport = 6379\n`)).toEqual(["4:1 [docker.cache] is missing `image` (image reference, e.g. postgres:16)"])
  })

  test("a ready_check without a type names the choices", () => {
    expect(problemsOf(`\n[docker.cache]\nimage = "redis"\nready_check = { command = "redis-cli ping" }\n`)).toEqual([
      '6:1 `docker.cache.ready_check` is missing `type` (one of "pg_isready", "cmd", "http", "tcp", "log")',
    ])
  })
})

describe("wrong types", () => {
  test("each mistyped value is named in TOML terms", () => {
    const lines = problemsOf(
      [
        "",
        "[services.api]",
        'command = ["run", "api"]',
        "port = 1.5",
        'depends_on = "postgres"',
        'detect = "yes"',
        "env = { A = [1] }",
        "",
        "[dashboard]",
        'port = "4000"',
        "",
      ].join("\n"),
    )
    expect(lines).toEqual([
      "5:1 `services.api.command` must be a string, found an array",
      "6:1 `services.api.port` must be an integer, found a float",
      "7:1 `services.api.depends_on` must be an array, found a string",
      "8:1 `services.api.detect` must be true or false, found a string",
      "9:9 `services.api.env.A` must be a string, a number or a boolean, found an array",
      "12:1 `dashboard.port` must be an integer, found a string",
    ])
  })

  test('a port given as a string names both choices (a number or "auto")', () => {
    expect(problemsOf(`\n[docker.pg]\nimage = "postgres"\nport = "5432"\n`)).toEqual([
      '6:1 `docker.pg.port` must be an integer from 1 to 65535 or "auto", found "5432"',
    ])
  })

  test("ranges: ports and counts", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\nport = 70000\nmax_restarts = -1\n`)).toEqual([
      "6:1 `services.api.port` must be at most 65535, found 70000",
      "7:1 `services.api.max_restarts` must be at least 0, found -1",
    ])
  })

  test("a duration that does not parse says what a duration looks like", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\nstop_timeout = "10 minutes"\n`)).toEqual([
      '6:1 `services.api.stop_timeout` has an invalid value "10 minutes": expected a duration like "500ms", "10s", "5m" or "1h"',
    ])
  })

  test("an invalid project name says which characters are allowed", () => {
    expect(inspect(`[project]\nname = "My App"\n`).lines).toEqual([
      '2:1 `project.name` has an invalid value "My App": expected lowercase letters, digits, "-" and "_", starting with a letter or digit',
    ])
  })

  test("a named docker port accepts host:container and rejects garbage", () => {
    expect(problemsOf(`\n[docker.mail]\nimage = "mailpit"\nports = { smtp = "1025:1025", ui = "auto:8025", bad = "x:1" }\n`)).toEqual([
      '6:49 `docker.mail.ports.bad` must be an integer from 1 to 65535, "auto" or "host:container" like "8025:80" or "auto:80/udp", found "x:1"',
    ])
  })
})

describe("literal unions", () => {
  test("every allowed value is listed, with the likely typo", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\nrestart = "alway"\n`)).toEqual([
      '6:1 `services.api.restart` must be one of "on-failure", "always", "never", found "alway" (did you mean `always`?)',
    ])
  })

  test("a value unlike any choice gets the list only", () => {
    expect(problemsOf(`\n[docker.x]\nimage = "x"\npull = "sometimes"\n`)).toEqual(['6:1 `docker.x.pull` must be one of "missing", "always", found "sometimes"'])
  })

  test("an unknown ready_check type points at `type` and suggests", () => {
    expect(problemsOf(`\n[services.api]\ncommand = "x"\nready_check = { type = "htp" }\n`)).toEqual([
      '6:17 `services.api.ready_check` has unknown type "htp": expected one of "pg_isready", "cmd", "http", "tcp", "log" (did you mean `http`?)',
    ])
  })

  test("an unknown addon type", () => {
    expect(problemsOf(`\n[cluster.addons.traefik]\ntype = "helmchart"\nchart = "traefik/traefik"\n`)).toEqual([
      '5:1 `cluster.addons.traefik` has unknown type "helmchart": expected one of "helm", "manifest", "kustomize"',
    ])
  })
})

describe("checkSchema directly", () => {
  test("a valid value yields nothing", () => {
    expect(checkSchema(Config, { project: { name: "ok" }, services: { api: { command: "x", port: "auto" } } })).toEqual([])
  })

  test("problems carry the key path", () => {
    const problems = checkSchema(Type.Object({ a: Type.Object({ b: Type.Integer() }) }, { additionalProperties: false }), { a: { b: "x" } })
    expect(problems).toEqual([{ path: ["a", "b"], message: "`a.b` must be an integer, found a string" }])
  })

  test("tomlType names every TOML value", () => {
    expect([[], new Date(0), {}, 1, 1.5, true, "s", undefined].map(tomlType)).toEqual([
      "an array",
      "a date",
      "a table",
      "an integer",
      "a float",
      "a boolean",
      "a string",
      "nothing",
    ])
  })
})
