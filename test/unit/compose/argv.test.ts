import { describe, expect, test } from "bun:test"
import { type ComposeFlavor, type ComposeTarget, downArgv, formatArgv, logsArgv, psArgv, servicesArgv, stopArgv, upArgv } from "../../../src/compose/argv.ts"
import { composeUp, type Runner } from "../../../src/compose/run.ts"

const FILE = "/p/.devrig/compose.yaml"
const target = (flavor: ComposeFlavor, envFile?: string): ComposeTarget => ({ flavor, project: "devrig-app-12345678", file: FILE, envFile })

/** Records every command line instead of running it; each exits 0. */
function recorder(): { runner: Runner; calls: string[][] } {
  const calls: string[][] = []
  return { calls, runner: async (argv) => (calls.push([...argv]), { code: 0, signal: null, stderrTail: [], stdout: "" }) }
}

describe("up argv: every combination of detach × noTraefik × verbose", () => {
  const bools = [false, true]
  for (const flavor of ["v2", "v1"] as const)
    for (const detach of bools)
      for (const noTraefik of bools)
        for (const verbose of bools)
          for (const services of [[], ["web", "db"]])
            for (const envFile of [undefined, "/p/.env"]) {
              const name = `${flavor} detach=${detach} noTraefik=${noTraefik} verbose=${verbose} services=${services.length} envFile=${!!envFile}`
              test(name, async () => {
                const { runner, calls } = recorder()
                const logged: string[] = []
                const logger = { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(`WARN ${m}`) }
                const result = await composeUp({ target: target(flavor, envFile), detach, noTraefik, verbose, services, runner, logger })

                const exe = flavor === "v2" ? "docker compose" : "docker-compose"
                const expected = [
                  exe,
                  "-p devrig-app-12345678",
                  `-f ${FILE}`,
                  envFile ? `--env-file ${envFile}` : "",
                  "up",
                  detach ? "-d" : "",
                  noTraefik ? "--scale traefik=0" : "",
                  services.join(" "),
                ]
                  .filter(Boolean)
                  .join(" ")
                expect(calls).toEqual([expected.split(" ")])
                expect(result.status).toBe(detach ? "detached" : "exited")

                const verboseLines = verbose ? [`compose: command: ${expected}`, "compose: directory: /p/.devrig", `compose: file: ${FILE}`] : []
                const background = detach ? ["compose: stack devrig-app-12345678 is running in the background"] : []
                expect(logged).toEqual([...verboseLines, ...background])
              })
            }
})

describe("argv builders", () => {
  test("v2 and v1 share flags and differ only in the executable", () => {
    expect(upArgv(target("v2"), { detach: true, noTraefik: true })).toEqual([
      "docker",
      "compose",
      "-p",
      "devrig-app-12345678",
      "-f",
      FILE,
      "up",
      "-d",
      "--scale",
      "traefik=0",
    ])
    expect(upArgv(target("v1", "/p/.env"), { detach: false, noTraefik: false, services: ["db"] })).toEqual([
      "docker-compose",
      "-p",
      "devrig-app-12345678",
      "-f",
      FILE,
      "--env-file",
      "/p/.env",
      "up",
      "db",
    ])
  })

  test("same inputs give identical argv and inputs are not mutated", () => {
    const services = ["web", "db"]
    const a = upArgv(target("v1"), { detach: true, noTraefik: true, services })
    const b = upArgv(target("v1"), { detach: true, noTraefik: true, services })
    expect(a).toEqual(b)
    expect(a).not.toBe(b)
    a.push("mutated")
    expect(services).toEqual(["web", "db"])
    expect(upArgv(target("v1"), { detach: true, noTraefik: true, services })).toEqual(b)
  })

  test("down, stop, ps, logs, config", () => {
    const base = ["docker-compose", "-p", "devrig-app-12345678", "-f", FILE]
    expect(downArgv(target("v1"))).toEqual([...base, "down"])
    expect(downArgv(target("v1"), { volumes: true, removeOrphans: true })).toEqual([...base, "down", "-v", "--remove-orphans"])
    expect(stopArgv(target("v1"))).toEqual([...base, "stop"])
    expect(stopArgv(target("v1"), ["db"])).toEqual([...base, "stop", "db"])
    expect(psArgv(target("v1"), ["web"])).toEqual([...base, "ps", "-q", "web"])
    expect(logsArgv(target("v1"), { follow: true, services: ["web"] })).toEqual([...base, "logs", "--no-color", "-f", "web"])
    expect(servicesArgv(target("v2", "/e"))).toEqual(["docker", "compose", "-p", "devrig-app-12345678", "-f", FILE, "--env-file", "/e", "config", "--services"])
  })

  test("formatArgv quotes only what a shell would split or expand", () => {
    expect(formatArgv(["docker-compose", "-f", "/a b/c.yaml", "up", "--scale", "traefik=0"])).toBe("docker-compose -f '/a b/c.yaml' up --scale traefik=0")
    expect(formatArgv(["x", "it's", "$HOME", ""])).toBe(`x 'it'\\''s' '$HOME' ''`)
  })
})
