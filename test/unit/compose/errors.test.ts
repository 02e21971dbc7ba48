import { describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assertComposeFile, composeFailure, detectFlavor, NOT_AVAILABLE } from "../../../src/compose/detect.ts"
import { composeDown, composePs, composeUp, type Runner } from "../../../src/compose/run.ts"
import { ExternalError, InputError } from "../../../src/errors.ts"

const target = { flavor: "v1" as const, project: "devrig-app-12345678", file: "/p/compose.yaml" }
const exited = (code: number, stderrTail: string[] = [], stdout = "") => ({ code, signal: null, stderrTail, stdout })

async function rejection(p: Promise<unknown>): Promise<ExternalError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(ExternalError)
  return e as ExternalError
}

describe("detection", () => {
  test("prefers the v2 plugin, falls back to v1", async () => {
    expect(await detectFlavor(async () => true)).toBe("v2")
    const probed: string[] = []
    const v1Only = async (argv: readonly string[]) => (probed.push(argv.join(" ")), argv[0] === "docker-compose")
    expect(await detectFlavor(v1Only)).toBe("v1")
    expect(probed).toEqual(["docker compose version", "docker-compose version"])
  })

  test("neither: exit 2 with the contract's message", async () => {
    const e = await rejection(detectFlavor(async () => false))
    expect(e.exitCode).toBe(2)
    expect(e.message).toBe("compose: docker compose not available; please install Docker and Docker Compose")
    expect(e.message).toBe(NOT_AVAILABLE)
  })

  test("a missing compose file or a directory is reported with its path", () => {
    const dir = mkdtempSync(join(tmpdir(), "devrig-compose-unit-"))
    for (const path of [join(dir, "nope.yaml"), dir]) {
      let err: unknown
      try {
        assertComposeFile(path)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(ExternalError)
      expect((err as ExternalError).exitCode).toBe(2)
      expect((err as ExternalError).message).toBe(`compose: compose file not found at ${path}`)
    }
    for (const bad of ["", "  ", "a\0b"]) expect(() => assertComposeFile(bad)).toThrow(InputError)
    writeFileSync(join(dir, "compose.yaml"), "services: {}\n")
    expect(() => assertComposeFile(join(dir, "compose.yaml"))).not.toThrow()
  })
})

describe("failures", () => {
  const tail = Array.from({ length: 14 }, (_, i) => `line ${i + 1}`)

  test("foreground: prefix, exit 2, last stderr line in the message, last 10 as details", () => {
    const e = composeFailure({ argv: ["docker-compose", "-p", "up", "-f", "/f", "up"], code: 1, stderrTail: [...tail, "", "  "] })
    expect(e.exitCode).toBe(2)
    expect(e.message).toBe("compose: docker-compose up failed (exit 1): line 14")
    expect(e.details).toEqual(tail.slice(-10))
    expect(e.hint).toBe("command: docker-compose -p up -f /f up")
  })

  test("detached: says the stack could not start and suggests running without --detach", () => {
    const e = composeFailure({ argv: ["docker", "compose", "up", "-d"], code: 17, stderrTail: ["no such image"], detach: true })
    expect(e.exitCode).toBe(2)
    expect(e.message).toBe("compose: the compose stack could not be started in the background (exit 17: no such image); run without --detach to see logs")
  })

  test("compose exiting non-zero propagates from up, down and ps", async () => {
    const failing: Runner = async () => exited(1, ["ERROR: boom"])
    for (const detach of [false, true]) {
      const e = await rejection(composeUp({ target, detach, noTraefik: false, runner: failing }))
      expect(e.exitCode).toBe(2)
      expect(e.message.startsWith("compose: ")).toBe(true)
      expect(e.message).toContain("ERROR: boom")
      expect(e.message.includes("run without --detach")).toBe(detach)
    }
    expect((await rejection(composeDown({ target, runner: failing }))).message).toBe("compose: docker-compose down failed (exit 1): ERROR: boom")
    expect((await rejection(composePs({ target, runner: failing }))).message).toBe("compose: docker-compose ps failed (exit 1): ERROR: boom")
  })

  test("ps -q output becomes container ids", async () => {
    const ids = await composePs({ target, runner: async () => exited(0, [], "abc\n\n def \n") })
    expect(ids).toEqual(["abc", "def"])
  })
})
