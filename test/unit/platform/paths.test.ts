import { expect, test } from "bun:test"
import { statSync } from "node:fs"
import { dirname } from "node:path"
import { SOCKET_PATH_MAX, socketPath } from "../../../src/platform/paths.ts"

test("a socket path that fits is kept; a longer one moves to a stable short path in a private dir", () => {
  const short = "/home/me/app/.devrig/control.sock"
  expect(socketPath(short)).toBe(short)
  const long = `/home/me/${"x".repeat(200)}/.devrig/control.sock`
  const moved = socketPath(long)
  expect(Buffer.byteLength(moved)).toBeLessThanOrEqual(SOCKET_PATH_MAX)
  expect(socketPath(long)).toBe(moved)
  expect(socketPath(long.replace("xx", "xy"))).not.toBe(moved)
  expect(statSync(dirname(moved)).mode & 0o777).toBe(0o700)
  // exactly at the limit (103 bytes) still fits; one more byte does not
  const at = `/${"a".repeat(SOCKET_PATH_MAX - 1)}`
  expect(socketPath(at)).toBe(at)
  expect(socketPath(`${at}b`)).not.toBe(`${at}b`)
})
