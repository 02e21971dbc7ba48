// Locator: TOML key paths → line:column, for every way TOML can spell a key.
import { describe, expect, test } from "bun:test"
import { Locator } from "../../../src/config/locate.ts"

const SOURCE = `# comment with [fake.table] and key = "x"
[project]
name = "demo" # trailing

[services.api]
command = """
multi
line = "not a key"
"""
env = { A = "1", "B.C" = { inner = 2 } }
depends_on = [
  "postgres",  # first
  "redis",
]

[services."quoted name"]
port = 1

[[array.table]]
x = 1
dotted.key.path = true
`

const at = (loc: Locator, path: (string | number)[]) => {
  const p = loc.locate(path)
  return `${p.line}:${p.column}`
}

describe("Locator", () => {
  const loc = new Locator(SOURCE)

  test("table headers and their keys", () => {
    expect(at(loc, ["project"])).toBe("2:1")
    expect(at(loc, ["project", "name"])).toBe("3:1")
    expect(at(loc, ["services", "api"])).toBe("5:1")
    expect(at(loc, ["services", "api", "command"])).toBe("6:1")
  })

  test("a table's prefix is located at its first header", () => {
    expect(at(loc, ["services"])).toBe("5:1")
  })

  test("keys inside a multi-line string and comments are not keys", () => {
    expect(at(loc, ["services", "api", "line"])).toBe("5:1")
    expect(at(loc, ["fake"])).toBe("1:1")
  })

  test("inline tables, quoted keys and nesting", () => {
    expect(at(loc, ["services", "api", "env", "A"])).toBe("10:9")
    expect(at(loc, ["services", "api", "env", "B.C"])).toBe("10:18")
    expect(at(loc, ["services", "api", "env", "B.C", "inner"])).toBe("10:28")
  })

  test("array elements across lines", () => {
    expect(at(loc, ["services", "api", "depends_on", 0])).toBe("12:3")
    expect(at(loc, ["services", "api", "depends_on", 1])).toBe("13:3")
  })

  test("quoted table names, array tables, dotted keys", () => {
    expect(at(loc, ["services", "quoted name", "port"])).toBe("17:1")
    expect(at(loc, ["array", "table", "x"])).toBe("20:1")
    expect(at(loc, ["array", "table", "dotted", "key", "path"])).toBe("21:1")
  })

  test("an unknown path falls back to its nearest located ancestor, else 1:1", () => {
    expect(at(loc, ["services", "api", "nope", "deeper"])).toBe("5:1")
    expect(at(loc, ["nothing"])).toBe("1:1")
  })

  test("lineText returns the source line", () => {
    expect(loc.lineText(3)).toBe('name = "demo" # trailing')
    expect(loc.lineText(999)).toBe("")
  })
})
