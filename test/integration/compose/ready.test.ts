// [compose.ready_checks]: all five types against real compose services, through src/docker/ready.ts.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { deleteComposeStack, startComposeStack } from "../../../src/compose/stack.ts"
import type { ResolvedCompose } from "../../../src/config/resolved.ts"
import type { ReadyCheck } from "../../../src/config/schema.ts"
import { IMAGES } from "../../helpers/docker.ts"
import { ensureImages, leftovers, withProject } from "./helpers.ts"

setDefaultTimeout(120_000)

const STACK = `services:
  pg:
    image: ${IMAGES.postgres}
    environment: { POSTGRES_USER: shop, POSTGRES_PASSWORD: secret }
  cache:
    image: ${IMAGES.redis}
  web:
    image: ${IMAGES.busybox}
    init: true
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && sleep 1 && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
  socket:
    image: ${IMAGES.busybox}
    init: true
    command: ["sh", "-c", "sleep 1 && exec httpd -f -p 9000"]
  worker:
    image: ${IMAGES.busybox}
    init: true
    command: ["sh", "-c", "sleep 1; echo worker ready now; exec sleep 3600"]
`

beforeAll(ensureImages)

describe("compose ready checks", () => {
  test("pg_isready, cmd, http, tcp and log all pass before start returns", () =>
    withProject(STACK, async (p) => {
      const readyChecks: Record<string, ReadyCheck> = {
        pg: { type: "pg_isready" },
        cache: { type: "cmd", command: "redis-cli ping", expect: "PONG" },
        web: { type: "http" },
        socket: { type: "tcp", port: 9000 },
        worker: { type: "log", match: "worker ready now" },
      }
      const compose: ResolvedCompose = { file: p.composeFile, services: [], readyChecks }
      const stack = await startComposeStack({ identity: p.ident, compose, detach: true, noTraefik: false })
      expect(Object.keys(stack.services)).toEqual(["cache", "pg", "socket", "web", "worker"])
      // Each check passed, so each service answers now, without retrying.
      const res = await fetch(`http://127.0.0.1:${stack.services.web!.port}/`)
      expect((await res.text()).trim()).toBe("ok")
      await deleteComposeStack({ identity: p.ident, compose })
      expect((await leftovers(p.ident)).containers).toEqual([])
    }))

  test("a failing check is an exit-2 error naming the compose service", () =>
    withProject(`services:\n  web:\n    image: ${IMAGES.busybox}\n    init: true\n    command: ["sleep", "3600"]\n`, async (p) => {
      const compose: ResolvedCompose = { file: p.composeFile, services: ["web"], readyChecks: { web: { type: "cmd", command: "cat /nope", timeout: "1s" } } }
      const err = (await startComposeStack({ identity: p.ident, compose, detach: true, noTraefik: false }).catch((e: unknown) => e)) as Error & {
        exitCode: number
        hint?: string
      }
      expect(err.exitCode).toBe(2)
      expect(err.message).toStartWith("compose: service web ready check (cmd `cat /nope`) did not pass within 1s")
      expect(err.hint).toContain("[compose.ready_checks]")
      await deleteComposeStack({ identity: p.ident, compose })
    }))
})
