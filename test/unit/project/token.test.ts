// The per-run token: 0600 from the first byte, new on every create, gone after remove; compared in
// constant time.
import { expect, test } from "bun:test"
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { createToken, readToken, removeToken, tokenMatches, tokenPath } from "../../../src/project/token.ts"
import { tempProject } from "../../helpers/cli.ts"

test("create writes a private, fresh token; read finds it; remove deletes it", () => {
  const { dir } = tempProject()
  expect(readToken(dir)).toBeUndefined()
  const a = createToken(dir)
  expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
  expect(readToken(dir)).toBe(a)
  expect(statSync(tokenPath(dir)).mode & 0o777).toBe(0o600)
  expect(statSync(join(dir, ".devrig")).mode & 0o077).toBe(0)
  const b = createToken(dir)
  expect(b).not.toBe(a)
  expect(readToken(dir)).toBe(b)
  expect(readdirSync(join(dir, ".devrig")).filter((f) => f.endsWith(".tmp"))).toEqual([])
  removeToken(dir)
  expect(readToken(dir)).toBeUndefined()
  removeToken(dir) // idempotent
})

test("tokenMatches: only the exact token", () => {
  expect(tokenMatches("abc", "abc")).toBe(true)
  for (const given of ["abd", "ab", "abcd", "", undefined, null]) expect(tokenMatches("abc", given)).toBe(false)
})
