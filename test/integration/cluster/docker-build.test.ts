// Image build and push through the real Docker engine (no registry needed: FROM scratch).
import { afterAll, describe, expect, test } from "bun:test"
import { chmodSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { buildImage, pushImage, type ProgressEvent } from "../../../src/docker/build.ts"
import { ExternalError, InputError } from "../../../src/errors.ts"
import { tempProject } from "./helpers.ts"


const tag = `devrig-test-build-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}:dev`

describe("docker build for cluster deploys", () => {
  afterAll(() => {
    Bun.spawnSync(["docker", "rmi", "-f", tag], { stdout: "ignore", stderr: "ignore" })
  })

  test("builds from a context with a custom Dockerfile, reports progress, labels the image, keeps file modes", async () => {
    const ctx = tempProject()
    writeFileSync(join(ctx, "Dockerfile.dev"), "FROM scratch\nCOPY hello.txt run.sh /\n")
    writeFileSync(join(ctx, "hello.txt"), "hi\n")
    writeFileSync(join(ctx, "run.sh"), "#!/bin/sh\n")
    chmodSync(join(ctx, "run.sh"), 0o755)
    writeFileSync(join(ctx, ".dockerignore"), "secret.txt\n")
    writeFileSync(join(ctx, "secret.txt"), "nope\n")
    const events: ProgressEvent[] = []
    await buildImage({ context: ctx, dockerfile: "Dockerfile.dev", tag, labels: { "devrig.project": "build-test" }, onProgress: (e) => events.push(e) })
    expect(events.some((e) => e.stream?.includes("COPY hello.txt"))).toBe(true)
    const inspect = JSON.parse(Bun.spawnSync(["docker", "image", "inspect", tag]).stdout.toString())
    expect(inspect[0].Config.Labels["devrig.project"]).toBe("build-test")
    // the image's single layer holds exactly the two files, run.sh still executable
    const save = Bun.spawnSync(["sh", "-c", `docker save ${tag} | tar -xO --wildcards '*layer.tar' 2>/dev/null | tar -tv`])
    const listing = save.stdout.toString()
    expect(listing).toMatch(/-rwxr-xr-x .* run\.sh/)
    expect(listing).toContain("hello.txt")
    expect(listing).not.toContain("secret.txt")
  })

  test("a failing Dockerfile step is an ExternalError with the engine's message", async () => {
    const ctx = tempProject()
    writeFileSync(join(ctx, "Dockerfile"), "FROM scratch\nCOPY missing.txt /\n")
    const err = await buildImage({ context: ctx, dockerfile: "Dockerfile", tag }).catch((e) => e)
    expect(err).toBeInstanceOf(ExternalError)
    expect(err.details.join(" ")).toMatch(/missing\.txt/)
  })

  test("no Dockerfile is an InputError before anything is sent", async () => {
    const err = await buildImage({ context: tempProject(), dockerfile: "Dockerfile", tag }).catch((e) => e)
    expect(err).toBeInstanceOf(InputError)
  })

  test("pushing to a registry that is not there fails as an ExternalError", async () => {
    const ref = `localhost:1/devrig-push-test:dev`
    Bun.spawnSync(["docker", "tag", tag, ref])
    try {
      const err = await pushImage(ref).catch((e) => e)
      expect(err).toBeInstanceOf(ExternalError)
      expect(err.message).toBe(`docker push ${ref} failed`)
    } finally {
      Bun.spawnSync(["docker", "rmi", ref], { stdout: "ignore", stderr: "ignore" })
    }
  })
})
