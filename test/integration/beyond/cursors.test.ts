// Change cursors: `--since-restart <svc>` and `--since-reload` select exactly what came after the
// last (re)start or config reload — on `query logs`, `query traces` and `devrig logs` — and
// `--since` takes a duration or an ISO time.
import { expect, setDefaultTimeout, test } from "bun:test"
import { join } from "node:path"
import type { TraceSummary } from "../../../src/server/api-types.ts"
import { eventOf, started, until, stopLeftovers } from "./helpers.ts"

setDefaultTimeout(60_000)
stopLeftovers()

const APP = join(import.meta.dir, "fixtures", "otel-app.ts")
// Each start prints "boot N" and exports a span "GET /run/N".
const service = (env = "") => `[services.api]
command = ${JSON.stringify(`n=$(($(cat n 2>/dev/null || echo 0)+1)); echo $n > n; echo "boot $n"; exec bun ${APP} "span:GET /run/$n"`)}
${env}`

test("--since-restart and --since-reload select only what came after the restart / the reload", async () => {
  const r = await started("cursors", service())
  const bodies = async (args: string[]) => (await r.query(["logs", "--service", "api", ...args])).map((l) => l.body).filter((b) => String(b).startsWith("boot"))
  const logLines = async (args: string[]) => {
    const res = await r.p.run(["logs", "api", ...args])
    expect(res.exitCode, res.stderr).toBe(0)
    return res.stdout.split("\n").filter((l) => /\bboot \d/.test(l)).map((l) => l.replace(/^.*(boot \d+).*$/, "$1"))
  }
  const waitBoot = (n: number) => until(r, ["logs", "--service", "api", "--search", `boot ${n}`], (l) => l[0], `boot ${n}`)
  const traceNames = async (args: string[]) => (await r.query<TraceSummary>(["traces", "--service", "api", ...args])).map((t) => t.operation)
  await waitBoot(1)
  await until<TraceSummary, string>(r, ["traces", "--service", "api"], (t) => t[0]?.operation, "the first trace")

  const restart = await r.p.run(["restart", "api"])
  expect(restart.exitCode, restart.stderr).toBe(0)
  await waitBoot(2)
  await until<TraceSummary, true>(r, ["traces", "--service", "api"], (t) => (t.length === 2 ? true : undefined), "the second trace")

  expect(await bodies([])).toEqual(["boot 2", "boot 1"])
  expect(await bodies(["--since-restart", "api"])).toEqual(["boot 2"])
  expect(await traceNames(["--since-restart", "api"])).toEqual(["GET /run/2"])
  expect(await logLines(["--since-restart", "api"])).toEqual(["boot 2"])
  // devrig's own events after the restart: the new run's, not the stop of the old one
  const events = (await r.query(["logs", "--service", "devrig", "--since-restart", "api"])).filter((l) => l.attributes["devrig.component"] === "api").map(eventOf)
  expect(events).toContain("ready")
  expect(events).not.toContain("stop")

  // a hot reload that changes api's environment restarts it
  r.p.write("devrig.toml", r.p.read("devrig.toml").replace(/\[services\.api\][\s\S]*$/, service(`env = { FOO = "2" }\n`)))
  await waitBoot(3)
  expect(await bodies(["--since-reload"])).toEqual(["boot 3"])
  expect(await logLines(["--since-reload"])).toEqual(["boot 3"])
  await until<TraceSummary, true>(r, ["traces", "--service", "api"], (t) => (t.length === 3 ? true : undefined), "the third trace")
  expect(await traceNames(["--since-reload"])).toEqual(["GET /run/3"])
  // the reload restarted api, so its restart cursor moved too
  expect(await bodies(["--since-restart", "api"])).toEqual(["boot 3"])
  const reload = (await r.query(["logs", "--service", "devrig", "--search", "reloaded"])).find((l) => eventOf(l) === "reload")
  expect(reload?.attributes).toMatchObject({ "devrig.component": "devrig", restarted: "api", started: "", stopped: "" })

  // --since: a duration or an ISO time; the latest of several cursors wins
  expect(await bodies(["--since", "1h"])).toEqual(["boot 3", "boot 2", "boot 1"])
  expect(await bodies(["--since", new Date(Date.now() - 3_600_000).toISOString(), "--since-reload"])).toEqual(["boot 3"])
  expect(await bodies(["--since", new Date(Date.now() + 60_000).toISOString()])).toEqual([])
  await r.finish()
})

test("cursor errors are exit 1 with a reason: unknown restart, no reload yet, a bad --since", async () => {
  const r = await started("cursorerr", `[services.api]\ncommand = "echo hi; exec sleep 600"\n`)
  const none = await r.p.run(["query", "logs", "--since-reload"])
  expect(none.exitCode).toBe(1)
  expect(none.stderr).toContain("has not been reloaded")
  const unknown = await r.p.run(["logs", "--since-restart", "worker"])
  expect(unknown.exitCode).toBe(1)
  expect(unknown.stderr).toContain("worker has not started")
  const bad = await r.p.run(["query", "traces", "--since", "yesterday"])
  expect(bad.exitCode).toBe(1)
  await r.finish()
})
