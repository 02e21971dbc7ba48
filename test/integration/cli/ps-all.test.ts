// `devrig ps --all` marks projects whose folder is gone (missing) and projects stopped long ago
// (stale) instead of hiding or listing them as if nothing were wrong; `--prune` removes those
// registry entries and nothing else.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { IMAGES, ensureTestImages } from "../../helpers/docker.ts"
import { devrig, tempProject } from "../../helpers/cli.ts"
import { assertCleanedUp, project, type Project } from "../../helpers/proc-fixtures.ts"

const xdg = join(tempProject().dir, "state")
const registry = join(xdg, "devrig", "instances")
let gone: Project, old: Project, recent: Project
/** A container labelled as a devrig project whose config path does not exist (Docker is its only record). */
const orphanSlug = `orphan-${Math.random().toString(16).slice(2, 10)}`
let orphanId = ""

const ps = (args: string[]) => devrig(["ps", ...args], { env: { XDG_STATE_HOME: xdg, NO_COLOR: "1" } })

async function startAndStop(p: Project): Promise<void> {
  const start = await p.run(["start", "-d"])
  if (start.exitCode !== 0) throw new Error(`start -d exited ${start.exitCode}: ${start.stdout}${start.stderr}`)
  const stop = await p.run(["stop"])
  if (stop.exitCode !== 0) throw new Error(`stop exited ${stop.exitCode}: ${stop.stderr}`)
  await assertCleanedUp(p)
}

beforeAll(async () => {
  const body = `[services.idle]\ncommand = "sleep 600"\n`
  ;[gone, old, recent] = [project("psall-gone", body, { xdg }), project("psall-old", body, { xdg }), project("psall-recent", body, { xdg })]
  await Promise.all([gone, old, recent].map(startAndStop))
  rmSync(gone.dir, { recursive: true, force: true })
  // The registry entry of `old` says it stopped 40 days ago.
  const entry = join(registry, `${old.slug}.json`)
  const json = JSON.parse(readFileSync(entry, "utf8"))
  writeFileSync(entry, JSON.stringify({ ...json, stoppedAt: new Date(Date.now() - 40 * 86_400_000).toISOString() }))
  await ensureTestImages()
  const created = Bun.spawnSync(["docker", "create", "--label", `devrig.project=${orphanSlug}`, "--label", `devrig.config=/nonexistent/${orphanSlug}/devrig.toml`, IMAGES.busybox, "true"])
  orphanId = created.stdout.toString().trim()
  if (created.exitCode !== 0) throw new Error(`docker create failed: ${created.stderr}`)
}, 120_000)

afterAll(() => {
  if (orphanId) Bun.spawnSync(["docker", "rm", "-f", orphanId])
})

describe("ps --all", () => {
  test("marks missing and stale projects and says how to prune them", async () => {
    const r = await ps(["--all"])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe("")
    const line = (name: string) => r.stdout.split("\n").find((l) => l.trimStart().startsWith(name + " ")) ?? `(no line for ${name})`
    expect(line("psall-gone")).toContain("✗ missing (folder gone)")
    expect(line("psall-old")).toContain("● stale (stopped 40 days ago)")
    expect(line("psall-recent")).toMatch(/● stopped$/)
    expect(line("orphan")).toContain("✗ missing (folder gone)")
    expect(r.stdout).toContain("2 missing or stale entries: `devrig ps --all --prune` removes them from this list (nothing else is deleted)")
    expect(r.stdout).toContain(`orphan: its folder is gone but Docker still has its containers (label devrig.project=${orphanSlug})`)
  })

  test("--json carries missing, stale and lastSeen", async () => {
    const r = await ps(["--all", "--json"])
    expect(r.exitCode).toBe(0)
    const bySlug = new Map((JSON.parse(r.stdout) as { slug: string; missing: boolean; stale: boolean; running: boolean; lastSeen?: string }[]).map((i) => [i.slug, i]))
    expect(bySlug.get(gone.slug)).toMatchObject({ missing: true, stale: false, running: false })
    expect(bySlug.get(old.slug)).toMatchObject({ missing: false, stale: true, running: false })
    expect(bySlug.get(recent.slug)).toMatchObject({ missing: false, stale: false, running: false })
    expect(Date.parse(bySlug.get(recent.slug)!.lastSeen!)).toBeGreaterThan(Date.now() - 600_000)
    expect(bySlug.get(orphanSlug)).toMatchObject({ missing: true, source: "docker" })
  })

  test("--prune without --all is a one-line input error", async () => {
    const r = await ps(["--prune"])
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toStartWith("✗ `--prune` goes with `--all`")
  })

  test("--all --prune removes the missing and stale entries, and only those", async () => {
    const r = await ps(["--all", "--prune"])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("removed psall-gone")
    expect(r.stdout).toContain("its folder is gone")
    expect(r.stdout).toContain("removed psall-old")
    expect(r.stdout).toContain("stopped 40 days ago")
    expect(readdirSync(registry).sort()).toEqual([`${recent.slug}.json`])
    // the project folders and Docker are not touched
    expect(existsSync(join(old.dir, "devrig.toml"))).toBe(true)
    expect(Bun.spawnSync(["docker", "inspect", orphanId]).exitCode).toBe(0)
    const after = await ps(["--all", "--json"])
    const slugs = (JSON.parse(after.stdout) as { slug: string }[]).map((i) => i.slug)
    expect(slugs).toContain(recent.slug)
    expect(slugs).not.toContain(gone.slug)
    expect(slugs).not.toContain(old.slug)
    const again = await ps(["--all", "--prune", "--json"])
    expect(JSON.parse(again.stdout).pruned).toEqual([])
  })
})
