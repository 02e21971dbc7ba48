// The multiplexed stream format and `since` timestamps.
import { expect, test } from "bun:test"
import { LineDemuxer, sinceParam } from "../../../src/docker/logs.ts"

function frame(type: 1 | 2, text: string | Uint8Array): Buffer {
  const payload = typeof text === "string" ? Buffer.from(text) : Buffer.from(text)
  const h = Buffer.alloc(8)
  h[0] = type
  h.writeUInt32BE(payload.length, 4)
  return Buffer.concat([h, payload])
}

function collect() {
  const lines: string[] = []
  return { lines, demux: new LineDemuxer((s, l) => lines.push(`${s}:${l}`)) }
}

test("lines per stream, frames split at any byte", () => {
  const bytes = Buffer.concat([frame(1, "hello\nwor"), frame(2, "oops\r\n"), frame(1, "ld\n"), frame(1, "tail")])
  for (let cut = 0; cut <= bytes.length; cut++) {
    const { lines, demux } = collect()
    demux.push(bytes.subarray(0, cut))
    demux.push(bytes.subarray(cut))
    demux.end()
    expect(lines).toEqual(["stdout:hello", "stderr:oops", "stdout:world", "stdout:tail"])
  }
})

test("a multi-byte character split across frames stays intact", () => {
  const euro = Buffer.from("€\n")
  const { lines, demux } = collect()
  demux.push(frame(1, euro.subarray(0, 1)))
  demux.push(frame(1, euro.subarray(1)))
  demux.end()
  expect(lines).toEqual(["stdout:€"])
})

test("empty lines are kept; nothing pending at end gives nothing", () => {
  const { lines, demux } = collect()
  demux.push(frame(1, "a\n\nb\n"))
  demux.end()
  expect(lines).toEqual(["stdout:a", "stdout:", "stdout:b"])
})

test("since: RFC 3339 with nanoseconds → seconds.nanoseconds", () => {
  expect(sinceParam("2024-05-01T10:00:00.123456789Z")).toBe("1714557600.123456789")
  expect(sinceParam("2024-05-01T10:00:00.5Z")).toBe("1714557600.500000000")
  expect(sinceParam("2024-05-01T12:00:00+02:00")).toBe("1714557600.000000000")
  expect(sinceParam("0001-01-01T00:00:00Z")).toBeUndefined()
  expect(sinceParam("garbage")).toBeUndefined()
})
