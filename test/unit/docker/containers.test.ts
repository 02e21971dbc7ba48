// What devrig asks the engine to create: names, labels, ports, mounts, and the definition hash.
import { expect, test } from "bun:test"
import { containerSpec, effectivePorts, isAnonymousVolume, volumeName } from "../../../src/docker/containers.ts"
import { splitRef } from "../../../src/docker/images.ts"
import { InputError } from "../../../src/errors.ts"
import { LABEL_HASH, names } from "../../../src/project/identity.ts"
import { container, testIdentity } from "../../helpers/docker.ts"

const ident = testIdentity("spec")
const net = names.network(ident.slug)
const pgImage = { id: "sha256:aaa", exposedPorts: ["5432/tcp"] }
const port = (host: number, c = 0) => ({ host, container: c, protocol: "tcp" as const, auto: false })

const pg = container("postgres", {
  image: "postgres:16",
  port: port(15432),
  env: { POSTGRES_USER: "devrig" },
  volumes: [
    { type: "volume", source: names.volume(ident.slug, "pgdata"), target: "/var/lib/postgresql/data", readOnly: false },
    { type: "bind", source: "/abs/seed", target: "/seed", readOnly: true },
  ],
  command: ["postgres", "-c", "fsync=off"],
})

test("name, labels, alias, ports, mounts, init", () => {
  const spec = containerSpec(ident, pg, pgImage, net)
  expect(spec.name).toBe(`devrig-${ident.slug}-postgres`)
  const body = spec.body as any
  expect(body.Labels).toEqual({
    "devrig.project": ident.slug,
    "devrig.service": "postgres",
    "devrig.config": ident.configPath,
    [LABEL_HASH]: spec.hash,
  })
  expect(body.Env).toEqual(["POSTGRES_USER=devrig"])
  expect(body.Cmd).toEqual(["postgres", "-c", "fsync=off"])
  expect(body.ExposedPorts).toEqual({ "5432/tcp": {} })
  expect(body.HostConfig.PortBindings).toEqual({ "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "15432" }] })
  expect(body.HostConfig.Init).toBe(true)
  expect(body.HostConfig.NetworkMode).toBe(net)
  // host.docker.internal on Linux too
  expect(body.HostConfig.ExtraHosts).toEqual(["host.docker.internal:host-gateway"])
  expect(body.NetworkingConfig).toEqual({ EndpointsConfig: { [net]: { Aliases: ["postgres"] } } })
  expect(body.HostConfig.Mounts).toEqual([
    { Type: "volume", Source: `devrig-${ident.slug}-pgdata`, Target: "/var/lib/postgresql/data", ReadOnly: false },
    { Type: "bind", Source: "/abs/seed", Target: "/seed", ReadOnly: true },
  ])
  expect(body.StopTimeout).toBe(2)
})

test("volume names: short config names get the project prefix, full ones are kept", () => {
  expect(volumeName(ident.slug, "pgdata")).toBe(`devrig-${ident.slug}-pgdata`)
  expect(volumeName(ident.slug, `devrig-${ident.slug}-pgdata`)).toBe(`devrig-${ident.slug}-pgdata`)
})

test("the hash changes with the definition and the image, not with devrig-only settings", () => {
  const h = containerSpec(ident, pg, pgImage, net).hash
  expect(containerSpec(ident, { ...pg }, pgImage, net).hash).toBe(h)
  expect(containerSpec(ident, { ...pg, env: { POSTGRES_USER: "other" } }, pgImage, net).hash).not.toBe(h)
  expect(containerSpec(ident, { ...pg, port: port(15433) }, pgImage, net).hash).not.toBe(h)
  expect(containerSpec(ident, pg, { ...pgImage, id: "sha256:bbb" }, net).hash).not.toBe(h)
  expect(containerSpec(ident, { ...pg, readyCheck: { type: "pg_isready" }, init: ["SELECT 1"], dependsOn: ["x"] }, pgImage, net).hash).toBe(h)
  // key order in env does not matter
  const a = containerSpec(ident, { ...pg, env: { A: "1", B: "2" } }, pgImage, net).hash
  expect(containerSpec(ident, { ...pg, env: { B: "2", A: "1" } }, pgImage, net).hash).toBe(a)
})

test("container port: explicit, else the image's single exposed port, else the host port if exposed", () => {
  expect(effectivePorts(container("a", { image: "x", port: port(1, 80) }), pgImage).main).toEqual({ host: 1, container: 80, protocol: "tcp" })
  expect(effectivePorts(container("a", { image: "x", port: port(1) }), pgImage).main?.container).toBe(5432)
  const mailpit = { id: "m", exposedPorts: ["1025/tcp", "8025/tcp", "1110/tcp"] }
  expect(effectivePorts(container("m", { image: "mailpit", ports: { smtp: port(1025) } }), mailpit).named.smtp?.container).toBe(1025)
})

test("an ambiguous container port is an input error that says how to fix it", () => {
  const multi = { id: "m", exposedPorts: ["1025/tcp", "8025/tcp"] }
  expect(() => effectivePorts(container("mail", { image: "mailpit", port: port(9999) }), multi)).toThrow(
    new InputError("[docker.mail] image mailpit exposes several ports (1025, 8025): set container_port to choose one"),
  )
  expect(() => effectivePorts(container("mail", { image: "mailpit", ports: { ui: port(9999) } }), multi)).toThrow(/write ports\.ui = "9999:<container port>"/)
})

test("image references split into name and tag", () => {
  expect(splitRef("postgres:16")).toEqual({ image: "postgres", tag: "16" })
  expect(splitRef("redis")).toEqual({ image: "redis", tag: "latest" })
  expect(splitRef("localhost:5000/team/api")).toEqual({ image: "localhost:5000/team/api", tag: "latest" })
  expect(splitRef("localhost:5000/team/api:dev")).toEqual({ image: "localhost:5000/team/api", tag: "dev" })
  expect(splitRef("alpine@sha256:abc")).toEqual({ image: "alpine", tag: "sha256:abc" })
})

test("anonymous volumes are the engine's 64-hex names, never devrig's own", () => {
  expect(isAnonymousVolume("1a50da84e7889eb621acf34990e6b1cadc0ec76c4e7d60c0f7c36c52d12628bf")).toBe(true)
  expect(isAnonymousVolume(names.volume(ident.slug, "pgdata"))).toBe(false)
  expect(isAnonymousVolume("pgdata")).toBe(false)
})
