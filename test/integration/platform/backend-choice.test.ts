// Which process backend the binary uses: /proc on Linux unless DEVRIG_PLATFORM forces one. The
// test suite runs the process tests a second time with DEVRIG_PLATFORM=portable (scripts/test);
// this file runs in both passes and proves the binary really switched.
import { expect, test } from "bun:test"
import { devrig } from "../../helpers/cli.ts"

async function backendOf(env: Record<string, string | undefined>): Promise<string> {
  const r = await devrig(["doctor", "--json"], { env })
  return (JSON.parse(r.stdout) as { platform: { processBackend: string } }).platform.processBackend
}

test("the binary uses the backend this test pass asks for", async () => {
  const forced = process.env.DEVRIG_PLATFORM
  expect(await backendOf({})).toBe(forced === "portable" ? "portable" : process.platform === "linux" ? "linux" : "portable")
  if (forced) console.log(`[backend] this pass runs with DEVRIG_PLATFORM=${forced}`)
})

test("DEVRIG_PLATFORM=portable and =linux force a backend; doctor says which", async () => {
  expect(await backendOf({ DEVRIG_PLATFORM: "portable" })).toBe("portable")
  if (process.platform === "linux") expect(await backendOf({ DEVRIG_PLATFORM: "linux" })).toBe("linux")
  const human = await devrig(["doctor"], { env: { DEVRIG_PLATFORM: "portable" } })
  expect(human.stdout).toContain("processes tracked via ps and lsof")
})
