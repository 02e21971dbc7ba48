// The PRD's URL generation rules for [docker.*] components.
import { expect, test } from "bun:test"
import { containerDiscoveryEnv, containerUrl, dockerDiscoveryEnv, envName } from "../../../src/docker/urls.ts"
import { container } from "../../helpers/docker.ts"

const port = (host: number, c = 0) => ({ host, container: c, protocol: "tcp" as const, auto: false })

test("names normalise to upper snake case", () => {
  expect(envName("postgres")).toBe("POSTGRES")
  expect(envName("my-db")).toBe("MY_DB")
  expect(envName("cache.v2")).toBe("CACHE_V2")
  expect(envName("-odd--name-")).toBe("ODD_NAME")
})

test("postgres: credentials from POSTGRES_USER / POSTGRES_PASSWORD, URL-encoded", () => {
  const pg = container("postgres", { image: "postgres:16", port: port(5432), env: { POSTGRES_USER: "devrig", POSTGRES_PASSWORD: "devrig" } })
  expect(containerDiscoveryEnv(pg)).toEqual({
    DEVRIG_POSTGRES_HOST: "localhost",
    DEVRIG_POSTGRES_PORT: "5432",
    DEVRIG_POSTGRES_URL: "postgres://devrig:devrig@localhost:5432",
  })
  expect(containerUrl({ ...pg, env: { POSTGRES_USER: "a@b", POSTGRES_PASSWORD: "p:/ss" } })).toBe("postgres://a%40b:p%3A%2Fss@localhost:5432")
})

test("postgres: credentials omitted when absent; password alone means the image's default user", () => {
  expect(containerUrl(container("db", { image: "docker.io/library/postgres:16-alpine", port: port(6000) }))).toBe("postgres://localhost:6000")
  expect(containerUrl(container("db", { image: "postgres", port: port(6000), env: { POSTGRES_PASSWORD: "x" } }))).toBe("postgres://postgres:x@localhost:6000")
  expect(containerUrl(container("db", { image: "postgres", port: port(6000), env: { POSTGRES_USER: "u" } }))).toBe("postgres://u@localhost:6000")
})

test("postgres-like images and env are recognised", () => {
  expect(containerUrl(container("geo", { image: "postgis/postgis:16-3.4", port: port(7000) }))).toBe("postgres://localhost:7000")
  expect(containerUrl(container("db", { image: "example/custom-db:1", port: port(7000), env: { POSTGRES_USER: "me" } }))).toBe("postgres://me@localhost:7000")
})

test("redis gets redis://, anything else host:port", () => {
  expect(containerUrl(container("redis", { image: "redis:7-alpine", port: port(63221) }))).toBe("redis://localhost:63221")
  expect(containerUrl(container("kv", { image: "valkey/valkey:8", port: port(6380) }))).toBe("redis://localhost:6380")
  expect(containerUrl(container("mq", { image: "rabbitmq:3", port: port(5672) }))).toBe("localhost:5672")
})

test("multi-port containers get _PORT_<NAME> variables and no URL", () => {
  const mailpit = container("mailpit", { image: "axllent/mailpit:latest", ports: { smtp: port(1025, 1025), "web-ui": port(8025, 8025) } })
  expect(containerDiscoveryEnv(mailpit)).toEqual({
    DEVRIG_MAILPIT_HOST: "localhost",
    DEVRIG_MAILPIT_PORT_SMTP: "1025",
    DEVRIG_MAILPIT_PORT_WEB_UI: "8025",
  })
  const both = container("x", { image: "redis", port: port(1), ports: { admin: port(2) } })
  expect(containerUrl(both)).toBeUndefined()
  expect(containerDiscoveryEnv(both).DEVRIG_X_PORT).toBe("1")
})

test("no port: only HOST; a specific bind address becomes the host", () => {
  expect(containerDiscoveryEnv(container("worker", { image: "busybox" }))).toEqual({ DEVRIG_WORKER_HOST: "localhost" })
  expect(containerDiscoveryEnv(container("r", { image: "redis", port: port(6379), bind: "0.0.0.0" })).DEVRIG_R_URL).toBe("redis://localhost:6379")
  expect(containerDiscoveryEnv(container("r", { image: "redis", port: port(6379), bind: "192.168.1.5" }))).toEqual({
    DEVRIG_R_HOST: "192.168.1.5",
    DEVRIG_R_PORT: "6379",
    DEVRIG_R_URL: "redis://192.168.1.5:6379",
  })
})

test("dockerDiscoveryEnv merges every container", () => {
  const env = dockerDiscoveryEnv({
    postgres: container("postgres", { image: "postgres:16", port: port(5432) }),
    "my-cache": container("my-cache", { image: "redis:7", port: port(6379) }),
  })
  expect(env.DEVRIG_POSTGRES_URL).toBe("postgres://localhost:5432")
  expect(env.DEVRIG_MY_CACHE_URL).toBe("redis://localhost:6379")
  expect(Object.keys(env)).toHaveLength(6)
})

test("mask: credentials that came from an env file become **** in the URL; others stay", () => {
  const pg = container("db", { image: "postgres:16", port: port(5432), env: { POSTGRES_USER: "app", POSTGRES_PASSWORD: "s3cr:t" }, secretKeys: ["POSTGRES_PASSWORD"] })
  expect(containerUrl(pg)).toBe("postgres://app:s3cr%3At@localhost:5432")
  expect(containerUrl(pg, { mask: true })).toBe("postgres://app:****@localhost:5432")
  expect(containerDiscoveryEnv({ ...pg, secretKeys: ["POSTGRES_USER", "POSTGRES_PASSWORD"] }, { mask: true }).DEVRIG_DB_URL).toBe("postgres://****:****@localhost:5432")
  expect(dockerDiscoveryEnv([{ ...pg, secretKeys: [] }], { mask: true }).DEVRIG_DB_URL).toBe("postgres://app:s3cr%3At@localhost:5432")
})
