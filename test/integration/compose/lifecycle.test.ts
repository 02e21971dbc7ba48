// Real engine, real docker-compose (v1 on Debian), local images only.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { composeFlavor } from "../../../src/compose/detect.ts"
import { type ComposeStack, composeStatus, deleteComposeStack, startComposeStack, stopComposeStack } from "../../../src/compose/stack.ts"
import type { ResolvedCompose } from "../../../src/config/resolved.ts"
import { ensureContainer, removeContainer, startContainer } from "../../../src/docker/containers.ts"
import { execRun } from "../../../src/docker/exec.ts"
import { inspectImage } from "../../../src/docker/images.ts"
import { inspectVolume } from "../../../src/docker/volumes.ts"
import { type Identity, names } from "../../../src/project/identity.ts"
import { container, IMAGES } from "../../helpers/docker.ts"
import { waitFor } from "../../helpers/proc-fixtures.ts"
import { ensureImages, leftovers, type TestProject, withProject } from "./helpers.ts"

setDefaultTimeout(90_000)

// web answers HTTP on 8080 (published on an ephemeral host port); traefik only sleeps.
const STACK = `services:
  web:
    image: ${IMAGES.busybox}
    init: true
    command: ["sh", "-c", "echo web-stdout-marker && mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
    volumes: ["data:/data"]
  traefik:
    image: ${IMAGES.busybox}
    init: true
    command: ["sleep", "3600"]
volumes:
  data: {}
`

const composeOf = (p: TestProject, o: Partial<ResolvedCompose> = {}): ResolvedCompose => ({ file: p.composeFile, services: [], readyChecks: {}, ...o })
const servicesOf = async (ident: Identity) => Object.fromEntries(Object.entries(await composeStatus(ident)).map(([s, cs]) => [s, cs.map((c) => c.state)]))

/** Runs the assertions, then always interrupts the foreground Compose (a failed assertion must not leave it running). */
async function stopped(ac: AbortController, stack: ComposeStack, assertions: () => Promise<void>): Promise<void> {
  try {
    await assertions()
  } finally {
    ac.abort()
    await stack.done?.catch(() => {})
  }
}

beforeAll(async () => {
  await ensureImages()
  expect(await composeFlavor()).toMatch(/^v[12]$/)
})

describe("compose stack", () => {
  for (const services of [[], ["web", "traefik"]])
    test(`--no-traefik leaves traefik at zero containers (services = [${services.join(", ")}])`, () =>
      withProject(STACK, async (p) => {
        const compose = composeOf(p, { services })
        const stack = await startComposeStack({ identity: p.ident, compose, detach: true, noTraefik: true })
        expect(Object.keys(stack.services)).toEqual(["web"])
        expect(await servicesOf(p.ident)).toEqual({ web: ["running"] })
        await deleteComposeStack({ identity: p.ident, compose })
        expect((await leftovers(p.ident)).containers).toEqual([])
      }))

  test("foreground: output streams, and an abort leaves no container of the project", () =>
    withProject(STACK, async (p) => {
      const ac = new AbortController()
      const lines: string[] = []
      const stack = await startComposeStack({
        identity: p.ident,
        compose: composeOf(p),
        detach: false,
        noTraefik: false,
        signal: ac.signal,
        onOutput: (l) => lines.push(l),
      })
      await stopped(ac, stack, async () => {
        expect(stack.done).toBeInstanceOf(Promise)
        expect(await servicesOf(p.ident)).toEqual({ traefik: ["running"], web: ["running"] })
        await waitFor(() => lines.some((l) => l.includes("web-stdout-marker")), "web's own output to stream", 15_000)
      })
      expect(await stack.done!).toEqual({ status: "interrupted" })
      // what web itself printed, attributed to web — not Compose's own "Creating …_web_1" lines
      // that merely name it
      expect(lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, "")).filter((l) => l.includes("web-stdout-marker"))).toEqual([expect.stringMatching(/^web([_-]\d+)? *\| web-stdout-marker$/)])
      expect((await leftovers(p.ident)).containers).toEqual([])
      // `down` without -v: the named volume survives an interruption.
      expect(await inspectVolume(`${names.composeProject(p.ident.slug)}_data`)).toBeDefined()
    }))

  test("detach keeps the stack running; stop keeps containers; delete removes them and their volumes", () =>
    withProject(STACK, async (p) => {
      const logged: string[] = []
      const logger = { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) }
      const compose = composeOf(p, { readyChecks: { web: { type: "http" } } })
      const stack = await startComposeStack({ identity: p.ident, compose, detach: true, noTraefik: false, verbose: true, logger })
      expect(stack.done).toBeUndefined()
      expect(stack.services.web!.port).toBeGreaterThan(0)
      expect(stack.services.web!.ports).toEqual({ "8080/tcp": stack.services.web!.port! })
      expect(logged).toContain(`compose: stack ${names.composeProject(p.ident.slug)} is running in the background`)
      expect(logged).toContain(`compose: file: ${p.composeFile}`)
      expect(logged).toContain(`compose: directory: ${p.dir}`)
      const res = await fetch(`http://127.0.0.1:${stack.services.web!.port}/`)
      expect((await res.text()).trim()).toBe("hello-from-web")

      expect(await servicesOf(p.ident)).toEqual({ traefik: ["running"], web: ["running"] })
      await stopComposeStack({ identity: p.ident, compose })
      expect(await servicesOf(p.ident)).toEqual({ traefik: ["exited"], web: ["exited"] })

      const volume = `${names.composeProject(p.ident.slug)}_data`
      expect(await inspectVolume(volume)).toBeDefined()
      await deleteComposeStack({ identity: p.ident, compose })
      const left = await leftovers(p.ident)
      expect(left.containers).toEqual([])
      expect(left.volumes).toEqual([])
      expect(await inspectVolume(volume)).toBeUndefined()
      // The devrig network is shared with native containers: devrig delete removes it, not Compose.
      expect(left.networks).toEqual([names.network(p.ident.slug)])
    }))

  test("on the devrig network a native container reaches the compose service by name", () =>
    withProject(STACK, async (p) => {
      const compose = composeOf(p)
      await startComposeStack({ identity: p.ident, compose, detach: true, noTraefik: true })
      const native = container("client", { image: IMAGES.busybox, command: ["sleep", "3600"], stopTimeoutMs: 1000 })
      const c = await ensureContainer(p.ident, native, (await inspectImage(IMAGES.busybox))!, names.network(p.ident.slug))
      try {
        await startContainer(c.id)
        const r = await execRun(c.id, ["wget", "-q", "-O", "-", "http://web:8080/"], { timeoutMs: 10_000 })
        expect(r.exitCode).toBe(0)
        expect(r.output.trim()).toBe("hello-from-web")
      } finally {
        await removeContainer(c.id)
        await deleteComposeStack({ identity: p.ident, compose })
      }
    }))

  test("regression: a service that exited 0 on the last stop is waited for, not taken as completed", () =>
    withProject(
      `services:\n  svc:\n    image: ${IMAGES.busybox}\n    init: true\n    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"]\n`,
      async (p) => {
        const compose = composeOf(p)
        await startComposeStack({ identity: p.ident, compose, detach: true, noTraefik: false })
        await stopComposeStack({ identity: p.ident, compose })
        expect((await composeStatus(p.ident)).svc!.map((c) => [c.state, c.exitCode])).toEqual([["exited", 0]])

        const ac = new AbortController()
        const stack = await startComposeStack({ identity: p.ident, compose, detach: false, noTraefik: false, signal: ac.signal })
        await stopped(ac, stack, async () => {
          expect(stack.services.svc!.state).toBe("running")
          expect(stack.services.svc!.containers.map((c) => c.running)).toEqual([true])
        })
        expect(await stack.done!).toEqual({ status: "interrupted" })
        expect((await leftovers(p.ident)).containers).toEqual([])
      },
    ))

  test("a missing compose file fails with exit 2 before anything runs", () =>
    withProject(STACK, async (p) => {
      const compose = composeOf(p, { file: `${p.dir}/nope.yml` })
      const err = await startComposeStack({ identity: p.ident, compose, detach: true, noTraefik: false }).catch((e: unknown) => e)
      expect(err).toMatchObject({ exitCode: 2, message: `compose: compose file not found at ${p.dir}/nope.yml` })
      expect(await leftovers(p.ident)).toEqual({ containers: [], volumes: [], networks: [] })
    }))

  test("a failing detached up suggests running without --detach", () =>
    withProject(`services:\n  broken:\n    image: devrig-test/does-not-exist:1\n    pull_policy: never\n`, async (p) => {
      const err = await startComposeStack({ identity: p.ident, compose: composeOf(p), detach: true, noTraefik: false }).catch((e: unknown) => e)
      expect(err).toMatchObject({ exitCode: 2 })
      expect((err as Error).message).toStartWith("compose: the compose stack could not be started in the background")
      expect((err as Error).message).toEndWith("run without --detach to see logs")
    }))
})
