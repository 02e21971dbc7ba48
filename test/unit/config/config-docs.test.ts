// The configuration guide's key reference is generated from the schema; it must not drift.
import { describe, expect, test } from "bun:test"
import { Kind, type TSchema } from "@sinclair/typebox"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Config } from "../../../src/config/schema.ts"
import { generate } from "../../../scripts/gen-config-docs.ts"

const GUIDE = join(import.meta.dir, "..", "..", "..", "docs", "guides", "configuration.md")

/** Every object property in the schema, as a dotted path. */
function keys(schema: TSchema, prefix: string, out: string[] = []): string[] {
  const kind = (schema as { [Kind]?: string })[Kind]
  if (kind === "Object")
    for (const [k, v] of Object.entries(schema.properties as Record<string, TSchema>)) {
      const path = prefix ? `${prefix}.${k}` : k
      out.push(path)
      keys(v, path, out)
    }
  if (kind === "Record") keys(Object.values(schema.patternProperties as Record<string, TSchema>)[0]!, `${prefix}.<name>`, out)
  if (kind === "Union") for (const v of schema.anyOf as TSchema[]) keys(v, prefix, out)
  return out
}

describe("docs/guides/configuration.md", () => {
  test("the generated reference is up to date (run `bun scripts/gen-config-docs.ts`)", () => {
    expect(readFileSync(GUIDE, "utf8")).toContain(generate())
  })

  test("every schema key has a description", () => {
    const missing: string[] = []
    const walk = (schema: TSchema, path: string) => {
      const kind = (schema as { [Kind]?: string })[Kind]
      if (kind === "Object")
        for (const [k, v] of Object.entries(schema.properties as Record<string, TSchema>)) {
          if (!v.description && k !== "type") missing.push(`${path}.${k}`)
          walk(v, `${path}.${k}`)
        }
      if (kind === "Record") walk(Object.values(schema.patternProperties as Record<string, TSchema>)[0]!, `${path}.<name>`)
      if (kind === "Union") for (const v of schema.anyOf as TSchema[]) walk(v, path)
    }
    walk(Config, "")
    expect(missing).toEqual([])
  })

  test("every key of the top-level sections appears in the guide", () => {
    const guide = readFileSync(GUIDE, "utf8")
    const top = keys(Config, "").filter((k) => /^(project|services|docker|compose|cluster|dashboard)\./.test(k) && !k.includes(".ready_check.") && !k.includes(".ready_checks.<name>.") && !k.includes(".addons.<name>."))
    const absent = top.filter((k) => !guide.includes(`\`${k}\``))
    expect(absent).toEqual([])
  })
})
