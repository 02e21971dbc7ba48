// `detect = true` through the loader: the detected command, or a located problem.
import { describe, expect, test } from "bun:test"
import { loadProject } from "../../../src/config/load.ts"
import { tempProject } from "../../helpers/cli.ts"
import { inspect, MINIMAL } from "./helpers.ts"

describe("detect = true", () => {
  test("fills in the command and marks it detected", async () => {
    const p = tempProject(`${MINIMAL}\n[services.web]\npath = "./web"\ndetect = true\n`, {
      "web/package.json": JSON.stringify({ scripts: { dev: "vite" } }),
      "web/pnpm-lock.yaml": "",
    })
    const { config } = await loadProject({ cwd: p.dir })
    expect(config.services.web!.command).toBe("pnpm run dev")
    expect(config.services.web!.detected).toBe("pnpm run dev")
  })

  test("an explicit command wins", async () => {
    const p = tempProject(`${MINIMAL}\n[services.web]\npath = "./web"\ndetect = true\ncommand = "make dev"\n`, { "web/go.mod": "module x\n" })
    const { config } = await loadProject({ cwd: p.dir })
    expect(config.services.web!.command).toBe("make dev")
    expect(config.services.web!.detected).toBeUndefined()
  })

  test("nothing to detect is a problem at the detect key", () => {
    const { lines, project } = inspect(`${MINIMAL}\n[services.web]\npath = "./web"\ndetect = true\n`, { "web/README": "" })
    expect(lines).toEqual([`6:1 detect = true, but no Cargo.toml, package.json with a "dev" script, or go.mod in ${project.dir}/web`])
  })
})
