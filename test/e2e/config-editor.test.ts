// The config editor against the compiled binary: inline validation while typing, save through
// hot reload (the service restarts with the new env), and a refused invalid save.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { ConfigValidateResponse, StatusResponse } from "../../src/server/api-types.ts"
import { type Env, startEnv } from "./fixture.ts"

let env: Env
let file: string
beforeAll(async () => {
  env = await startEnv("config")
  file = join(env.dir, "devrig.toml")
}, 120_000)
afterAll(async () => {
  await env?.teardown()
}, 60_000)

const disk = () => readFileSync(file, "utf8")
const pidOf = (s: StatusResponse, name: string) => s.components.find((c) => c.name === name)?.pid
const input = "[data-testid=config-input]"

/** Puts the caret right after the first occurrence of `after` in the editor's text. */
async function caretAfter(after: string) {
  // the validity badge can show before the editor's text has loaded into the textarea
  await env.page.waitForFunction(([sel, s]) => document.querySelector<HTMLTextAreaElement>(sel!)?.value.includes(s!), [input, after])
  await env.page.evaluate(
    ([sel, s]) => {
      const ta = document.querySelector<HTMLTextAreaElement>(sel!)!
      const at = ta.value.indexOf(s!) + s!.length
      ta.focus()
      ta.setSelectionRange(at, at)
    },
    [input, after],
  )
}

test("typing an error marks its line:column; fixing it clears the marker", async () => {
  const { page } = env
  await page.goto(`${env.url}/config`)
  await page.waitForSelector(input)
  await page.waitForSelector("[data-testid=config-validity][data-state=valid]")
  expect(await page.locator("[data-testid=config-path]").textContent()).toEndWith("devrig.toml")

  await caretAfter("[services.worker]")
  await page.keyboard.type('\nrestart = "sometimes"')
  const text = await page.locator(input).inputValue()
  const expected = (await (await env.api("/api/config/validate", { method: "POST", body: text })).json()) as ConfigValidateResponse
  expect(expected.problems).toHaveLength(1)
  const line = text.split("\n").findIndex((l) => l.startsWith("restart = ")) + 1
  const { column } = expected.problems[0]!
  expect(expected.problems[0]!.line).toBe(line)

  const problem = page.locator(`[data-testid=config-problem][data-line="${line}"][data-column="${column}"]`)
  await problem.waitFor({ timeout: 5_000 })
  expect(await problem.textContent()).toContain(`${line}:${column}`)
  expect(await problem.textContent()).toContain("restart")
  await page.waitForSelector(`[data-testid=gutter-marker][data-line="${line}"]`)
  expect(await page.locator("[data-testid=config-source] .squiggle").count()).toBeGreaterThan(0)
  expect(await page.locator("[data-testid=config-validity]").textContent()).toBe("1 problem")
  expect(await page.locator("[data-testid=config-dirty]").isVisible()).toBe(true)
  await env.shot("config-editor-error")

  // clicking the problem puts the caret on it
  await page.locator(input).evaluate((ta: HTMLTextAreaElement) => ta.setSelectionRange(0, 0))
  await problem.click()
  const caretLine = await page.locator(input).evaluate((ta: HTMLTextAreaElement) => ta.value.slice(0, ta.selectionStart).split("\n").length)
  expect(caretLine).toBe(line)

  // fix it in place: select the line and type a valid value over it
  await page.keyboard.press("End")
  await page.keyboard.press("Shift+Home")
  await page.keyboard.type('restart = "always"')
  await page.waitForSelector("[data-testid=config-validity][data-state=valid]", { timeout: 5_000 })
  expect(await page.locator("[data-testid=gutter-marker]").count()).toBe(0)
  expect(await page.locator("[data-testid=config-source] .squiggle").count()).toBe(0)
  expect(disk()).not.toContain("restart =") // nothing saved yet

  await page.click("[data-testid=config-revert]")
  expect(await page.locator(input).inputValue()).toBe(disk())
})

test("saving a valid change writes the file and hot reload restarts the service", async () => {
  const { page } = env
  const before = await env.status()
  const workerPid = pidOf(before, "worker")
  const webPid = pidOf(before, "web")
  expect(workerPid).toBeGreaterThan(0)

  await page.goto(`${env.url}/config`)
  await page.waitForSelector("[data-testid=config-validity][data-state=valid]")
  await caretAfter("bun -e 'setInterval(() => {}, 1000)'\"")
  await page.keyboard.type('\nenv = { E2E_GREETING = "hello from the editor" }')
  await page.waitForSelector("[data-testid=config-validity][data-state=valid]")
  await page.keyboard.press("Control+s")

  const toast = page.locator("[data-testid=toast]", { hasText: "saved —" })
  await toast.waitFor({ timeout: 20_000 })
  expect(await toast.textContent()).toContain("worker restarted")
  expect(disk()).toContain('env = { E2E_GREETING = "hello from the editor" }')
  await page.waitForSelector("[data-testid=config-dirty]", { state: "detached" })
  await env.shot("config-editor-saved")

  const after = await env.status()
  expect(pidOf(after, "worker")).not.toBe(workerPid)
  expect(after.components.find((c) => c.name === "worker")!.state).toBe("running")
  expect(pidOf(after, "web")).toBe(webPid) // only what changed restarts
  const env_ = (await (await env.api("/api/env/worker")).json()) as Record<string, string>
  expect(env_.E2E_GREETING).toBe("hello from the editor")
})

test("an invalid save is refused with its problems; the file and the services stay as they were", async () => {
  const { page } = env
  const before = disk()
  const mtime = statSync(file).mtimeMs
  const s = await env.status()
  await page.goto(`${env.url}/config`)
  await page.waitForSelector("[data-testid=config-validity][data-state=valid]")
  await caretAfter('port = "auto"')
  await page.keyboard.type("\nbogus = 1")
  // save at once, before the validation of the typing has even come back
  await page.keyboard.press("Control+s")
  await page.waitForSelector("[data-testid=config-refused]", { timeout: 5_000 })
  await page.locator("[data-testid=toast]", { hasText: "not saved" }).waitFor()
  const problems = await page.locator("[data-testid=config-problem]").allTextContents()
  expect(problems.some((p) => p.includes("bogus"))).toBe(true)
  expect(await page.locator("[data-testid=config-dirty]").isVisible()).toBe(true)
  await env.shot("config-editor-refused")

  // The "not saved" answer is the server having processed the save. The hot reload reacts only
  // to the file changing: the same bytes and the same mtime mean there is nothing to reload.
  expect(disk()).toBe(before)
  expect(statSync(file).mtimeMs).toBe(mtime)
  const now = await env.status()
  for (const c of s.components) expect(pidOf(now, c.name)).toBe(c.pid)
  await page.click("[data-testid=config-revert]")
})

test("save anyway never overwrites an outside edit: it meets the conflict; overwriting is a choice made on the disk version", async () => {
  const { page } = env
  const original = disk()
  await page.goto(`${env.url}/config`)
  await page.waitForSelector("[data-testid=config-validity][data-state=valid]")
  await caretAfter('port = "auto"')
  await page.keyboard.type("\nbogus = 2")
  await page.keyboard.press("Control+s")
  await page.waitForSelector("[data-testid=config-force]", { timeout: 5_000 })

  // meanwhile another editor (or git) changes the file
  const outside = original + "\n# edited outside the dashboard\n"
  writeFileSync(file, outside)
  await page.click("[data-testid=config-force]")
  await page.waitForSelector("[data-testid=config-conflict]", { timeout: 5_000 })
  await page.locator("[data-testid=toast]", { hasText: "changed on disk" }).first().waitFor()
  expect(disk()).toBe(outside) // force skipped validation only, never the conflict check
  await env.shot("config-editor-conflict")

  // overwriting is explicit, and is checked against the disk version the banner reported
  await page.click("[data-testid=config-overwrite]")
  await page.waitForSelector("[data-testid=config-force]", { timeout: 5_000 })
  await page.click("[data-testid=config-force]")
  await page.locator("[data-testid=toast]", { hasText: "saved with problems" }).waitFor({ timeout: 5_000 })
  expect(disk()).toContain("bogus = 2")
  expect(disk()).not.toContain("# edited outside")
  writeFileSync(file, original)
})
