// Durations as the config writes them ("500ms", "10s", 5) and as devrig prints them.
import { describe, expect, test } from "bun:test"
import { formatDuration, parseDuration } from "../../../src/duration.ts"

describe("durations", () => {
  test("parse every unit and bare seconds", () => {
    expect(["500ms", "10s", "5m", "1h", "1d", " 1.5s "].map((d) => parseDuration(d))).toEqual([500, 10_000, 300_000, 3_600_000, 86_400_000, 1500])
    expect(parseDuration(2)).toBe(2000)
  })

  test("reject anything else as an input error", () => {
    expect(() => parseDuration("10 minutes")).toThrow(/invalid duration "10 minutes"/)
    expect(() => parseDuration(-1)).toThrow(/invalid duration/)
  })

  test("format for people", () => {
    expect([250, 5_000, 65_000, 3_600_000, 3_660_000].map(formatDuration)).toEqual(["250ms", "5s", "1m 5s", "1h", "1h 1m"])
  })
})
