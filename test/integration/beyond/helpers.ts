/**
 * Fixtures for the "beyond the anchors" tests: a temp project with the dashboard on free ports
 * (so parallel files never share a collector), `devrig query …` parsed from NDJSON, the command
 * that runs the OTel fixture app, and the end of every test — stop, then prove that no process
 * is left and every port is free.
 */
import { afterEach, expect } from "bun:test"
import { join } from "node:path"
import type { LogRecord } from "../../../src/server/api-types.ts"
import { assertCleanedUp, freePort, isAlive, project, startDetached, stop, waitFor, type Project } from "../../helpers/proc-fixtures.ts"

export interface Rig {
  p: Project
  ports: { dashboard: number; grpc: number; http: number }
  supervisorPid?: number
  /** `devrig query <args>` (exit 0 required), one object per NDJSON line */
  query<T = LogRecord>(args: string[]): Promise<T[]>
  /** the lifecycle events (service `devrig`) about one component, oldest first */
  events(component: string): Promise<LogRecord[]>
  /** `devrig stop`, then no process, supervisor or port of the run is left */
  finish(extraPorts?: number[]): Promise<void>
}

/** `bun <fixture app> <steps…>` as a TOML string (see fixtures/otel-app.ts for the steps). */
export function app(...steps: string[]): string {
  return JSON.stringify(`exec bun ${join(import.meta.dir, "fixtures", "otel-app.ts")} ${steps.map((s) => `'${s}'`).join(" ")}`)
}

const live: Rig[] = []

/**
 * Call once at the top of a test file: after each test, a run a failed assertion left behind is
 * stopped (the process-exit safety net of proc-fixtures does not fire under `bun test`).
 */
export function stopLeftovers(): void {
  afterEach(async () => {
    for (const r of live.splice(0)) if (isAlive(r.p.supervisorPid())) await r.p.run(["stop"])
  })
}

/** A project with `[dashboard]` on three free ports; not started. */
export async function rig(name: string, body: string): Promise<Rig> {
  const [dashboard, grpc, http] = [await freePort(), await freePort(), await freePort()]
  const p = project(name, `[dashboard]\nport = ${dashboard}\n\n[dashboard.otel]\ngrpc_port = ${grpc}\nhttp_port = ${http}\n\n${body}`)
  const r: Rig = {
    p,
    ports: { dashboard, grpc, http },
    async query<T>(args: string[]) {
      const res = await p.run(["query", ...args])
      if (res.exitCode !== 0) throw new Error(`query ${args.join(" ")} exited ${res.exitCode}: ${res.stderr}`)
      return res.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as T)
    },
    async events(component) {
      const all = await r.query(["logs", "--service", "devrig", "--limit", "1000"])
      return all.filter((l) => l.attributes["devrig.component"] === component).reverse()
    },
    async finish(extra = []) {
      await stop(p)
      await assertCleanedUp(p, [dashboard, grpc, http, ...extra], r.supervisorPid)
    },
  }
  live.push(r)
  return r
}

/** `rig` + `devrig start -d`. */
export async function started(name: string, body: string): Promise<Rig> {
  const r = await rig(name, body)
  await startDetached(r.p)
  r.supervisorPid = r.p.supervisorPid()
  expect(r.supervisorPid).toBeNumber()
  return r
}

/** Polls a query until `pick` finds something. */
export function until<T, R>(r: Rig, args: string[], pick: (rows: T[]) => R | undefined, what: string, timeoutMs = 15_000): Promise<NonNullable<R>> {
  return waitFor(async () => pick(await r.query<T>(args)), what, timeoutMs, 100)
}

export const eventOf = (l: LogRecord) => l.attributes["devrig.event"]
