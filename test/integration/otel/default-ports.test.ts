// Two projects that both use the default dashboard and OTLP ports ([dashboard] with no ports
// written), started at the same moment: neither fails and neither shares the other's sockets.
// Whoever comes second moves to the next free ports and says so in its summary; each project's
// services are pointed at its own collector, and `devrig query` in each folder reaches its own.
import { afterAll, expect, test } from "bun:test"
import { assertCleanedUp, isAlive, killLeftovers, project, stop, type Project } from "../../helpers/proc-fixtures.ts"

const DEFAULTS = { port: 4000, grpcPort: 4317, httpPort: 4318 }
const LABELS = { port: "dashboard", grpcPort: "OTLP gRPC", httpPort: "OTLP HTTP" }
type Ports = typeof DEFAULTS

const made: Project[] = []
afterAll(killLeftovers)

const toml = `[services.app]\ncommand = "sleep 600"\n\n[dashboard]\n`

test("two projects on the default dashboard and OTLP ports at once: distinct ports, said in the summary, each query reaches its own collector", async () => {
  const a = project("portsa", toml)
  const b = project("portsb", toml)
  made.push(a, b)
  const starts = await Promise.all([a.run(["start", "-d"]), b.run(["start", "-d"])])
  for (const r of starts) expect(r.exitCode, r.stdout + r.stderr).toBe(0)
  const sups = [a.supervisorPid(), b.supervisorPid()]
  try {
    const ports: Ports[] = []
    for (const [i, p] of [a, b].entries()) {
      const ps = (await p.ps()) as unknown as { dashboard: Ports & { url: string } }
      const d = ps.dashboard
      ports.push(d)
      const summary = starts[i]!.stdout
      // the summary shows the ports actually bound…
      expect(summary).toContain(`http://127.0.0.1:${d.port}`)
      expect(summary).toMatch(new RegExp(`OTel gRPC\\s+localhost:${d.grpcPort}\\b`))
      expect(summary).toMatch(new RegExp(`OTel HTTP\\s+localhost:${d.httpPort}\\b`))
      // …and says why when it is not the default
      for (const k of Object.keys(DEFAULTS) as (keyof Ports)[]) {
        const notice = `${LABELS[k]} port ${DEFAULTS[k]} is in use; using ${d[k]} instead`
        if (d[k] === DEFAULTS[k]) expect(summary).not.toContain(`${LABELS[k]} port ${DEFAULTS[k]} is in use`)
        else expect(summary).toContain(notice)
      }
      // the project's services export to its own collector
      const env = await p.run(["env", "app", "OTEL_EXPORTER_OTLP_ENDPOINT"])
      expect(env.stdout.trim()).toBe(`http://127.0.0.1:${d.httpPort}`)
    }
    const all = ports.flatMap((d) => [d.port, d.grpcPort, d.httpPort])
    expect(new Set(all).size).toBe(6)
    // both could not have kept the defaults: at least one moved, and said so
    expect(starts.some((r) => /port \d+ is in use; using \d+ instead/.test(r.stdout))).toBe(true)

    // each collector is its own: what is sent to A's OTLP port is seen by `query` in A only
    for (const [i, p] of [a, b].entries()) {
      const status = JSON.parse((await p.run(["query", "status"])).stdout) as { project: { slug: string } }
      expect(status.project.slug).toBe(p.slug)
      const traceId = crypto.getRandomValues(new Uint8Array(16)).toHex()
      const now = BigInt(Date.now()) * 1_000_000n
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: `sender-${p.name}` } }] },
            scopeSpans: [{ spans: [{ traceId, spanId: crypto.getRandomValues(new Uint8Array(8)).toHex(), name: `op-${p.name}`, kind: 2, startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now) }] }],
          },
        ],
      }
      const res = await fetch(`http://127.0.0.1:${ports[i]!.httpPort}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      expect(res.status).toBe(200)
    }
    for (const [i, p] of [a, b].entries()) {
      const q = await p.run(["query", "traces"])
      expect(q.exitCode, q.stderr).toBe(0)
      const services = q.stdout.trim().split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { service: string }).service)
      expect(services, `traces seen by ${p.name} (dashboard ${ports[i]!.port})`).toEqual([`sender-${p.name}`])
    }
  } finally {
    for (const p of [a, b]) await stop(p)
  }
  for (const [i, p] of [a, b].entries()) {
    // the dashboard and OTLP sockets are the supervisor's: it being gone releases them
    await assertCleanedUp(p, [], sups[i])
    expect(isAlive(sups[i])).toBe(false)
  }
}, 60_000)
