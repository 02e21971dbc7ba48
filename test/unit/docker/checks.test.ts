// Pure parts of ready checks, init scripts and the engine client.
import { expect, test } from "bun:test"
import { endpoint, toDevrigError, DockerEngineError, DockerUnavailableError } from "../../../src/docker/client.ts"
import { imageBaseName, initHash, initSteps, isPostgresLike } from "../../../src/docker/init.ts"
import { describeCheck, isListening, postgresUser } from "../../../src/docker/ready.ts"
import { container } from "../../helpers/docker.ts"

test("isListening reads LISTEN sockets from /proc/net/tcp and tcp6", () => {
  const proc = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 1 1",
    "   1: 0100007F:1F90 0100007F:C000 01 00000000:00000000 00:00000000 00000000     0        0 2 1",
    "   0: 00000000000000000000000000000000:18EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 3 1",
  ].join("\n")
  expect(isListening(proc, 5432)).toBe(true) // 0x1538
  expect(isListening(proc, 6379)).toBe(true) // 0x18EB, IPv6
  expect(isListening(proc, 8080)).toBe(false) // 0x1F90 is ESTABLISHED, not LISTEN
})

test("pg user: ready_check.user, else POSTGRES_USER, else postgres", () => {
  expect(postgresUser(container("db", { image: "postgres" }))).toBe("postgres")
  expect(postgresUser(container("db", { image: "postgres", env: { POSTGRES_USER: "app" } }))).toBe("app")
  expect(postgresUser(container("db", { image: "postgres", env: { POSTGRES_USER: "app" }, readyCheck: { type: "pg_isready", user: "ops" } }))).toBe("ops")
})

test("check descriptions used in timeout messages", () => {
  expect(describeCheck({ type: "cmd", command: "redis-cli ping", expect: "PONG" })).toBe('cmd `redis-cli ping` expecting "PONG"')
  expect(describeCheck({ type: "log", match: "ready" })).toBe('log "ready"')
  expect(describeCheck({ type: "tcp", port: 80 })).toBe("tcp 80")
})

test("init: SQL through psql with ON_ERROR_STOP for postgres-like containers, sh -c otherwise", () => {
  const pg = container("db", { image: "postgres:16", env: { POSTGRES_USER: "u", POSTGRES_PASSWORD: "p", POSTGRES_DB: "app" }, init: ["CREATE TABLE t ();"] })
  expect(initSteps(pg)).toEqual([
    { argv: ["psql", "-v", "ON_ERROR_STOP=1", "-U", "u", "-d", "app", "-f", "-"], stdin: "CREATE TABLE t ();", env: { PGPASSWORD: "p" } },
  ])
  const other = container("cache", { image: "redis:7", init: ["redis-cli set a 1"] })
  expect(initSteps(other)).toEqual([{ argv: ["sh", "-c", "redis-cli set a 1"] }])
  expect(isPostgresLike(container("x", { image: "bitnami/postgresql:15" }))).toBe(true)
  expect(isPostgresLike(container("x", { image: "mysql:8", env: { POSTGRES_USER: "x" } }))).toBe(true)
  expect(isPostgresLike(container("x", { image: "mysql:8" }))).toBe(false)
  expect(imageBaseName("registry.local:5000/team/Postgres:16@sha256:abc")).toBe("postgres")
  expect(initHash(["a"])).not.toBe(initHash(["a", "b"]))
  expect(initHash(["a"])).toBe(initHash(["a"]))
})

test("DOCKER_HOST forms", () => {
  expect(endpoint(undefined)).toMatchObject({ address: "/var/run/docker.sock", options: { socketPath: "/var/run/docker.sock" } })
  expect(endpoint("unix:///run/user/1000/docker.sock").address).toBe("/run/user/1000/docker.sock")
  expect(endpoint("tcp://10.0.0.2:2375").options).toMatchObject({ host: "10.0.0.2", port: "2375", protocol: "http" })
  expect(endpoint("tcp://10.0.0.2:2376").options).toMatchObject({ protocol: "https" })
  expect(() => endpoint("ssh://me@host")).toThrow(DockerUnavailableError)
})

test("engine errors keep the engine's message and say what devrig was doing", () => {
  const err = Object.assign(new Error("(HTTP code 404) no such container - No such container: x "), { statusCode: 404, json: { message: "No such container: x" } })
  const e = toDevrigError(err, "inspecting container x", "/var/run/docker.sock")
  expect(e).toBeInstanceOf(DockerEngineError)
  expect(e.message).toBe("Docker failed while inspecting container x: No such container: x")
  expect(e.exitCode).toBe(2)
  const down = toDevrigError(Object.assign(new Error("connect ENOENT"), { code: "ENOENT" }), "x", "/var/run/docker.sock")
  expect(down.message).toBe("Docker is not running (cannot reach /var/run/docker.sock)")
  expect(down.hint).toBe("Start Docker Desktop or the docker service (sudo systemctl start docker), then retry")
  expect(toDevrigError(Object.assign(new Error("EACCES"), { code: "EACCES" }), "x", "/var/run/docker.sock").message).toBe("Permission denied on /var/run/docker.sock")
})
