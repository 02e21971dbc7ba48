// {{ ref }} interpolation: references found, rendered, unknown ones rejected.
import { describe, expect, test } from "bun:test"
import { hasTemplate, renderTemplate, templateRefs, UnknownTemplateError } from "../../../src/config/template.ts"

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
