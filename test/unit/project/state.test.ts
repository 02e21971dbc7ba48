// .devrig/state.json: advisory, atomic, owner-only; corrupt or missing reads as empty.
import { describe, expect, test } from "bun:test"
import { readdirSync, statSync, writeFileSync } from "node:fs"
import { emptyState, ensureStateDir, readState, updateState, writeState } from "../../../src/project/state.ts"
import { tempProject } from "../../helpers/cli.ts"

describe("state", () => {
  test("missing state reads as empty", () => {
    expect(readState(tempProject().dir)).toEqual(emptyState())
  })

  test("corrupt state reads as empty", () => {
    const root = tempProject().dir
    writeFileSync(ensureStateDir(root).state, "{ not json")
    expect(readState(root)).toEqual(emptyState())
  })

  test("wrong shapes are replaced by empty maps", () => {
    const root = tempProject().dir
    writeFileSync(ensureStateDir(root).state, JSON.stringify({ version: 7, autoPorts: [1], initDone: "x", groups: null, slug: "s" }))
    expect(readState(root)).toEqual({ ...emptyState(), slug: "s" })
  })

  test("round trip, written atomically with owner-only permissions", () => {
    const root = tempProject().dir
    writeState(root, { ...emptyState(), autoPorts: { "services.api": 41234 } })
    expect(readState(root).autoPorts).toEqual({ "services.api": 41234 })
    const paths = ensureStateDir(root)
    expect(statSync(paths.dir).mode & 0o777).toBe(0o700)
    expect(statSync(paths.state).mode & 0o777).toBe(0o600)
    expect(readdirSync(paths.dir)).toEqual(["state.json"])
  })

  test("updateState reads, modifies and writes", () => {
    const root = tempProject().dir
    updateState(root, (s) => void (s.initDone.postgres = "abc"))
    updateState(root, (s) => void (s.autoPorts["docker.redis"] = 40000))
    expect(readState(root)).toMatchObject({ initDone: { postgres: "abc" }, autoPorts: { "docker.redis": 40000 } })
  })
})
