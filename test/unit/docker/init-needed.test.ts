// When init scripts run again: per container and the volumes that hold its data.
import { expect, test } from "bun:test"
import { initHash, initNeeded } from "../../../src/docker/init.ts"

const scripts = ["CREATE TABLE t (x int);"]
const hash = initHash(scripts)
const anon = "1a50da84e7889eb621acf34990e6b1cadc0ec76c4e7d60c0f7c36c52d12628bf"
const done = { hash, container: "c1", volumes: [anon, "devrig-app-1-pgdata@00aa"] }

test("never ran, or the scripts changed: run", () => {
  expect(initNeeded(undefined, scripts, { container: "c1", volumes: [] })).toBe(true)
  expect(initNeeded(done, ["CREATE TABLE u (x int);"], { container: "c1", volumes: done.volumes })).toBe(true)
})

test("the same container (stop/start, reuse after a crash): not again", () => {
  expect(initNeeded(done, scripts, { container: "c1", volumes: done.volumes })).toBe(false)
  expect(initNeeded({ ...done, volumes: [] }, scripts, { container: "c1", volumes: [] })).toBe(false)
})

test("a new container: not again when it carries every volume the data went to, else again", () => {
  expect(initNeeded(done, scripts, { container: "c2", volumes: [...done.volumes, "extra"].sort() })).toBe(false)
  // recreated without volumes, or removed and made fresh: the data is gone
  expect(initNeeded({ ...done, volumes: [] }, scripts, { container: "c2", volumes: [] })).toBe(true)
  expect(initNeeded(done, scripts, { container: "c2", volumes: [anon] })).toBe(true)
  // the named volume was removed and made again under the same name (another id)
  expect(initNeeded(done, scripts, { container: "c2", volumes: [anon, "devrig-app-1-pgdata@11bb"] })).toBe(true)
})

test("a bare hash from an older devrig: runs when the scripts changed, as before", () => {
  expect(initNeeded(hash, scripts, { container: "c9", volumes: [] })).toBe(false)
  expect(initNeeded("0000", scripts, { container: "c9", volumes: [] })).toBe(true)
})
