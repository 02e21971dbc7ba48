// An ejected compose.yaml, brought up by the real docker-compose, runs the same set of containers
// as devrig's native [docker.*] path, and its healthchecks (translated ready checks) pass.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { join } from "node:path"
import { writeCompose } from "../../../src/compose/eject.ts"
import { deleteComposeStack, listComposeContainers, startComposeStack } from "../../../src/compose/stack.ts"
import type { ResolvedCompose, ResolvedContainer } from "../../../src/config/resolved.ts"
import { request } from "../../../src/docker/client.ts"
import { listContainers } from "../../../src/docker/containers.ts"
import { deleteProject, upContainers } from "../../../src/docker/phase.ts"
import { LABEL_PROJECT, LABEL_SERVICE, names, statePaths } from "../../../src/project/identity.ts"
import { container, freePort, IMAGES } from "../../helpers/docker.ts"
import { ensureImages, leftovers, withProject } from "./helpers.ts"

setDefaultTimeout(180_000)

beforeAll(ensureImages)

async function sample(): Promise<ResolvedContainer[]> {
  const [pgPort, webPort] = [await freePort(), await freePort()]
  return [
    container("db", {
      image: IMAGES.postgres,
      port: { host: pgPort, container: 5432, protocol: "tcp", auto: false },
      env: { POSTGRES_USER: "shop", POSTGRES_PASSWORD: "pa$word" },
      volumes: [{ type: "volume", source: "pgdata", target: "/var/lib/postgresql/data", readOnly: false }],
      readyCheck: { type: "pg_isready" },
    }),
    container("cache", { image: IMAGES.redis, readyCheck: { type: "cmd", command: "redis-cli ping", expect: "PONG" } }),
    container("web", {
      image: IMAGES.busybox,
      port: { host: webPort, container: 8080, protocol: "tcp", auto: false },
      command: ["sh", "-c", 'mkdir -p /www && echo "home=$HOME" > /www/index.html && exec httpd -f -p 8080 -h /www'],
      readyCheck: { type: "http" },
      dependsOn: ["db", "cache"],
    }),
    container("socket", { image: IMAGES.busybox, command: ["httpd", "-f", "-p", "9000"], readyCheck: { type: "tcp", port: 9000 } }),
    container("worker", {
      image: IMAGES.busybox,
      command: ["sh", "-c", "echo worker up; exec sleep 3600"],
      readyCheck: { type: "log", match: "worker up" },
      dependsOn: ["web", "socket"],
    }),
  ]
}

type Running = { name: string; image: string; ports: string[]; running: boolean }

async function runningSet(slug: string, byCompose: boolean): Promise<Running[]> {
  const list = await listContainers({ label: [`${LABEL_PROJECT}=${slug}`] })
  return list
    .filter((c) => byCompose === (c.labels["com.docker.compose.project"] !== undefined))
    .map((c) => ({
      name: c.labels[LABEL_SERVICE] ?? "",
      image: c.image,
      ports: [
        ...new Set(c.ports.filter((p) => p.publicPort).map((p) => `${p.ip === "::" ? "0.0.0.0" : p.ip}:${p.publicPort}->${p.privatePort}/${p.protocol}`)),
      ].sort(),
      running: c.state === "running",
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
}

async function health(id: string): Promise<string | undefined> {
  const c = await request<{ State: { Health?: { Status: string } } }>({ method: "GET", path: `/containers/${id}/json`, doing: "inspecting" })
  return c.State.Health?.Status
}

describe("eject", () => {
  test("the ejected file runs the same containers as the native path, healthy", () =>
    withProject("services: {}\n", async (p) => {
      const containers = (await sample()).map((c) => ({
        ...c,
        volumes: c.volumes.map((v) => ({ ...v, source: v.type === "volume" ? names.volume(p.ident.slug, v.source) : v.source })),
      }))

      const layers = [containers.filter((c) => !c.dependsOn.length), containers.filter((c) => c.name === "web"), containers.filter((c) => c.name === "worker")]
      await upContainers(p.ident, layers)
      const native = await runningSet(p.ident.slug, false)
      expect(native.map((c) => c.name)).toEqual(["cache", "db", "socket", "web", "worker"])
      await deleteProject(p.ident.slug)

      const file = statePaths(p.dir).compose
      expect(file).toBe(join(p.dir, ".devrig", "compose.yaml"))
      writeCompose(file, { identity: p.ident, containers })
      const compose: ResolvedCompose = { file, services: [], readyChecks: {} }
      // depends_on: service_healthy makes `up -d` itself wait for db, cache, web and socket.
      await startComposeStack({ identity: p.ident, compose, detach: true, noTraefik: false })
      expect(await runningSet(p.ident.slug, true)).toEqual(native)

      const byService = Object.fromEntries((await listComposeContainers(p.ident.slug)).map((c) => [c.service, c]))
      for (const s of ["db", "cache", "web", "socket"]) expect(await health(byService[s]!.id)).toBe("healthy")
      expect(await health(byService.worker!.id)).toBeUndefined()
      const web = containers.find((c) => c.name === "web")!
      expect((await (await fetch(`http://127.0.0.1:${web.port!.host}/`)).text()).trim()).toBe("home=/root")

      await deleteComposeStack({ identity: p.ident, compose })
      const left = await leftovers(p.ident)
      expect(left.containers).toEqual([])
      expect(left.volumes).toEqual([])
    }))
})
