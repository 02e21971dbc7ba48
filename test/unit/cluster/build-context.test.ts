import { describe, expect, test } from "bun:test"
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { contextFiles, contextTar } from "../../../src/docker/build.ts"

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "devrig-ctx-"))
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true })
    writeFileSync(join(dir, rel), body)
  }
  return dir
}

describe("build context", () => {
  test(".dockerignore rules, negation and .git/.devrig are honoured", () => {
    const dir = context({
      Dockerfile: "FROM scratch",
      ".dockerignore": "# deps\nnode_modules\n*.log\ndist/\n!dist/keep.txt\n",
      "src/main.ts": "",
      "debug.log": "",
      "node_modules/x/index.js": "",
      "dist/out.js": "",
      "dist/keep.txt": "",
      ".git/HEAD": "",
      ".devrig/state.json": "",
    })
    expect(contextFiles(dir)).toEqual([".dockerignore", "Dockerfile", "dist/keep.txt", "src/main.ts"])
  })

  test("without .dockerignore everything but .git and .devrig goes in", () => {
    expect(contextFiles(context({ Dockerfile: "", "a/b/c.txt": "", ".git/x": "" }))).toEqual(["Dockerfile", "a/b/c.txt"])
  })

  test("the tar keeps the executable bit of scripts", async () => {
    const dir = context({ Dockerfile: "FROM scratch", "entry.sh": "#!/bin/sh\n" })
    chmodSync(join(dir, "entry.sh"), 0o755)
    const tar = await contextTar(dir)
    const listing = Bun.spawnSync(["tar", "-tvf", "-"], { stdin: tar }).stdout.toString()
    expect(listing).toMatch(/-rwxr-xr-x .* entry\.sh/)
    expect(listing).toContain("Dockerfile")
  })
})
