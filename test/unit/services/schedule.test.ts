// The start scheduler's parts: the ready gate services wait on, compose references in env,
// the dependency-driven graph runner, and the fail-fast of the concurrent start.
import { expect, test } from "bun:test"
import { composeRefs, ReadyGate, startConcurrently, type GateState } from "../../../src/services/schedule.ts"
import { runGraph } from "../../../src/graph/run.ts"

test("ReadyGate: resolves true once ready, false on failure, unknown names, after settle and on close", async () => {
  const states: Record<string, GateState> = { db: "waiting", cache: "waiting", queue: "waiting" }
  const gate = new ReadyGate((n) => states[n] ?? "unknown")
  expect(await gate.wait("nope")).toBe(false)
  const db = gate.wait("db")
  const cache = gate.wait("cache")
  states.db = "ready"
  states.cache = "failed"
  gate.changed()
  expect(await db).toBe(true)
  expect(await cache).toBe(false)
  const queue = gate.wait("queue")
  gate.settle() // the infrastructure start is over and queue never got ready
  expect(await queue).toBe(false)
  states.queue = "ready"
  expect(await gate.wait("queue")).toBe(true) // after the start, only the current state counts
  // a run that stops while a service waits: the waiter gets false, without a settle
  const other = new ReadyGate(() => "waiting")
  const pending = other.wait("db")
  other.close()
  expect(await pending).toBe(false)
  expect(other.isClosed).toBe(true)
})

test("composeRefs: the compose services an env references by port", () => {
  expect(composeRefs({ A: "postgres://localhost:{{ compose.db.port }}/x", B: "{{compose.cache.port}} {{ compose.db.port }}", C: "{{ services.api.port }}" }).sort()).toEqual(["cache", "db"])
  expect(composeRefs({})).toEqual([])
})

test("runGraph: each node after its own dependencies, not after a whole layer", async () => {
  const order: string[] = []
  const delays: Record<string, number> = { slow: 60, fast: 0, after: 0 }
  await runGraph(
    new Map([
      ["slow", []],
      ["fast", []],
      ["after", ["fast"]],
    ]),
    async (n) => {
      order.push(`${n}:start`)
      await Bun.sleep(delays[n]!)
      order.push(`${n}:done`)
    },
  )
  expect(order.indexOf("after:done")).toBeLessThan(order.indexOf("slow:done"))
  expect(order.indexOf("after:start")).toBeGreaterThan(order.indexOf("fast:done"))
})

test("runGraph: the first failure aborts the others' signal, starts nothing more, and is thrown", async () => {
  const started: string[] = []
  let siblingAborted = false
  const err = await runGraph(
    new Map([
      ["bad", []],
      ["sibling", []],
      ["dependent", ["bad"]],
    ]),
    async (n, signal) => {
      started.push(n)
      if (n === "bad") throw new Error("bad failed")
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => ((siblingAborted = true), resolve())))
      throw new Error("cancelled")
    },
  ).catch((e: Error) => e)
  expect((err as Error).message).toBe("bad failed")
  expect(siblingAborted).toBe(true)
  expect(started).not.toContain("dependent")
})

test("startConcurrently: services do not wait for infrastructure; a failure stops what waits, then rejects once both branches settled", async () => {
  const log: string[] = []
  let releaseInfra!: () => void
  const infra = new Promise<void>((r) => (releaseInfra = r))
  const run = startConcurrently({
    infra: () => infra.then(() => void log.push("infra")),
    telemetry: async () => void log.push("telemetry"),
    services: async () => void log.push("services"),
    infraSettled: () => log.push("settled"),
  })
  await Bun.sleep(10)
  expect(log).toEqual(["telemetry", "services"])
  releaseInfra()
  await run
  expect(log).toEqual(["telemetry", "services", "infra", "settled"])

  // onFailure runs at once (the supervisor closes its gate there, so waiting services give up);
  // the start rejects with the first failure only after the services branch has wound down
  let release!: () => void
  const waiting = new Promise<void>((r) => (release = r))
  const order: string[] = []
  const failing = startConcurrently({
    infra: async () => Promise.reject(new Error("container failed")),
    telemetry: async () => {},
    services: () => waiting.then(() => void order.push("services wound down")),
    infraSettled: () => {},
    onFailure: () => {
      order.push("onFailure")
      release()
    },
  })
  expect(await failing.catch((e: Error) => e.message)).toBe("container failed")
  expect(order).toEqual(["onFailure", "services wound down"])
})
