// dotenv parsing and $VAR / ${VAR} / $$ expansion.
import { describe, expect, test } from "bun:test"
import { expandVars, parseEnvFile, UndefinedVariableError } from "../../../src/config/envfile.ts"

const values = (text: string) => Object.fromEntries(Object.entries(parseEnvFile(text).vars).map(([k, v]) => [k, v.value]))

describe("parseEnvFile", () => {
  test("KEY=value, export, comments and blank lines", () => {
    expect(values("# comment\n\nA=1\nexport B = two\nC=three # trailing comment\nD=\n")).toEqual({ A: "1", B: "two", C: "three", D: "" })
  })

  test("quotes: double quotes unescape, single quotes are literal, # inside quotes stays", () => {
    expect(values(`A="line1\\nline2"\nB='raw\\n # kept'\nC="has # hash"\n`)).toEqual({ A: "line1\nline2", B: "raw\\n # kept", C: "has # hash" })
  })

  test("a double-quoted value may span lines", () => {
    expect(values(`KEY="-----BEGIN-----\nabc\n-----END-----"\nNEXT=1\n`)).toEqual({ KEY: "-----BEGIN-----\nabc\n-----END-----", NEXT: "1" })
  })

  test("CRLF line ends", () => {
    expect(values("A=1\r\nB=2\r\n")).toEqual({ A: "1", B: "2" })
  })

  test("each entry records its line; malformed lines are errors with their line", () => {
    const parsed = parseEnvFile("A=1\nnot valid\nB=2\n")
    expect(parsed.vars.B!.line).toBe(3)
    expect(parsed.errors).toEqual([{ line: 2, message: 'expected KEY=value, found "not valid"' }])
  })

  test("the last definition wins", () => {
    expect(values("A=1\nA=2\n")).toEqual({ A: "2" })
  })
})

describe("expandVars", () => {
  const env: Record<string, string> = { HOST: "db", PORT: "5432" }
  const lookup = (n: string) => env[n]

  test("$VAR and ${VAR}, reporting what was used", () => {
    expect(expandVars("postgres://$HOST:${PORT}/x", lookup)).toEqual({ value: "postgres://db:5432/x", used: ["HOST", "PORT"] })
  })

  test("$$ is a literal $ and is not expanded further", () => {
    expect(expandVars("cost $$5 and $$HOST", lookup)).toEqual({ value: "cost $5 and $HOST", used: [] })
  })

  test("a lone $ or ${ that is not a name stays as written", () => {
    expect(expandVars("a $ b ${ c $1", lookup).value).toBe("a $ b ${ c $1")
  })

  test("an undefined variable throws with its name", () => {
    let err: unknown
    try {
      expandVars("x $MISSING y", lookup)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(UndefinedVariableError)
    expect((err as UndefinedVariableError).variable).toBe("MISSING")
  })

  test("an empty value is defined", () => {
    expect(expandVars("[$E]", () => "").value).toBe("[]")
  })
})
