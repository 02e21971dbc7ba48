// {{ ref }} interpolation: references found, rendered, unknown ones rejected.
import { describe, expect, test } from "bun:test"
import { hasTemplate, renderTemplate, templateKeyLabel, templateRefs, UnknownTemplateError, unknownRefMessage } from "../../../src/config/template.ts"

describe("templates", () => {
  test("finds references with or without inner spaces", () => {
    expect(templateRefs("a {{ docker.postgres.port }} b {{services.api.port}} c")).toEqual(["docker.postgres.port", "services.api.port"])
  })

  test("renders numbers and strings", () => {
    expect(renderTemplate("http://localhost:{{ services.api.port }}/{{ project.name }}", { "services.api.port": 3000, "project.name": "app" })).toBe(
      "http://localhost:3000/app",
    )
  })

  test("text without templates is returned untouched", () => {
    expect(hasTemplate("plain $VAR")).toBe(false)
    expect(renderTemplate("plain $VAR", {})).toBe("plain $VAR")
  })

  test("an unknown reference throws with the reference", () => {
    expect(() => renderTemplate("{{ docker.nope.port }}", {})).toThrow(new UnknownTemplateError("docker.nope.port"))
    expect(() => renderTemplate("{{ docker.nope.port }}", {})).toThrow("unknown template reference {{ docker.nope.port }}")
  })
})

describe("why a reference is unknown", () => {
  const src = { services: { api: ["port"], web: [] }, docker: { db: ["port", "admin"] }, compose: ["cache"] }
  const refs = ["services.api.port", "docker.db.port", "docker.db.ports.admin", "compose.cache.port", "project.name"]
  const why = (ref: string) => unknownRefMessage(ref, refs, src).replace(`unknown template reference {{ ${ref} }}`, "")

  test("a component that does not exist, with a suggestion among its kind", () => {
    expect(why("services.apu.port")).toBe(": no component `apu` exists (did you mean `api`?)")
    expect(why("compose.cahce.port")).toBe(": no component `cahce` exists (did you mean `cache`?)")
  })

  test("a component of another kind, pointing at the reference that exists", () => {
    expect(why("services.db.port")).toBe(": `db` is a [docker.*] container, not a service (use {{ docker.db.port }})")
    expect(why("docker.cache.port")).toBe(": `cache` is a compose service, not a [docker.*] container (use {{ compose.cache.port }})")
  })

  test("a component without that port", () => {
    expect(why("services.web.port")).toBe(": [services.web] has no `port` to reference")
    expect(why("docker.db.ports.amdin")).toBe(": [docker.db] has no port named `amdin` (did you mean `admin`?)")
  })

  test("anything else: the closest reference", () => {
    expect(why("project.nmae")).toBe(" (did you mean `project.name`?)")
  })

  test("the key a message names", () => {
    expect(templateKeyLabel(["services", "api", "env", "URL"])).toBe("URL")
    expect(templateKeyLabel(["env", "SHARED"])).toBe("SHARED")
    expect(templateKeyLabel(["services", "api", "command"])).toBe("command")
    expect(templateKeyLabel(["docker", "db", "command", 2])).toBe("command[2]")
    expect(templateKeyLabel(["services", "api", "ready_check", "url"])).toBe("ready_check.url")
    expect(templateKeyLabel(["cluster", "name"])).toBe("cluster.name")
  })
})
