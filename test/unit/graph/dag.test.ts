// The dependency DAG: start layers, stop order, closures, dependents, cycles.
import { describe, expect, test } from "bun:test"
import { closure, dependents, findCycle, layers, makeGraph, stopLayers } from "../../../src/graph/dag.ts"
import { dependencyGraph } from "../../../src/config/validate.ts"
import type { Config } from "../../../src/config/schema.ts"

// The PRD's example: api and worker need postgres, web needs api; redis and mailpit stand alone.
const prd = () =>
  makeGraph([
    ["api", ["postgres"]],
    ["web", ["api"]],
    ["worker", ["postgres"]],
    ["postgres", []],
    ["redis", undefined],
    ["mailpit", []],
  ])

describe("layers", () => {
  test("every node comes after its dependencies; layers are sorted", () => {
    expect(layers(prd())).toEqual([["mailpit", "postgres", "redis"], ["api", "worker"], ["web"]])
  })

  test("a node sits one layer past its deepest dependency", () => {
    const g = makeGraph([
      ["a", []],
      ["b", ["a"]],
      ["c", ["b"]],
      ["d", ["a", "c"]],
    ])
    expect(layers(g)).toEqual([["a"], ["b"], ["c"], ["d"]])
  })

  test("restricted to a subset, edges to nodes outside it are ignored", () => {
    expect(layers(prd(), new Set(["web", "api"]))).toEqual([["api"], ["web"]])
  })

  test("dependencies that are not nodes (external) are ignored", () => {
    expect(layers(makeGraph([["api", ["somewhere-else"]]]))).toEqual([["api"]])
  })

  test("duplicate dependencies collapse", () => {
    expect(makeGraph([["a", ["b", "b"]]]).get("a")).toEqual(["b"])
  })

  test("a cycle throws", () => {
    expect(() => layers(makeGraph([["a", ["b"]], ["b", ["a"]]]))).toThrow(/dependency cycle/)
  })

  test("an empty graph has no layers", () => {
    expect(layers(makeGraph([]))).toEqual([])
  })
})

describe("stopLayers", () => {
  test("dependents stop before their dependencies", () => {
    expect(stopLayers(prd())).toEqual([["web"], ["api", "worker"], ["mailpit", "postgres", "redis"]])
  })
})

describe("closure", () => {
  test("`start api web` brings exactly what they need", () => {
    const g = prd()
    const only = closure(g, ["api", "web"])
    expect([...only].sort()).toEqual(["api", "postgres", "web"])
    expect(layers(g, only)).toEqual([["postgres"], ["api"], ["web"]])
  })

  test("a leaf's closure is itself", () => {
    expect([...closure(prd(), ["redis"])]).toEqual(["redis"])
  })

  test("closure survives a cycle", () => {
    expect([...closure(makeGraph([["a", ["b"]], ["b", ["a"]]]), ["a"])].sort()).toEqual(["a", "b"])
  })
})

describe("dependents", () => {
  test("everything that transitively depends on a node", () => {
    expect([...dependents(prd(), "postgres")].sort()).toEqual(["api", "web", "worker"])
    expect([...dependents(prd(), "api")]).toEqual(["web"])
    expect(dependents(prd(), "web").size).toBe(0)
  })
})

describe("findCycle", () => {
  test("names the cycle as a path back to its start", () => {
    expect(findCycle(makeGraph([["api", ["worker"]], ["worker", ["api"]]]))).toEqual(["api", "worker", "api"])
  })

  test("finds a cycle below an acyclic prefix", () => {
    const g = makeGraph([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["d"]],
      ["d", ["b"]],
    ])
    expect(findCycle(g)).toEqual(["b", "c", "d", "b"])
  })

  test("a self-loop is a cycle", () => {
    expect(findCycle(makeGraph([["a", ["a"]]]))).toEqual(["a", "a"])
  })

  test("an acyclic graph has none", () => {
    expect(findCycle(prd())).toBeUndefined()
  })

  test("is deterministic: the search starts from the alphabetically first node", () => {
    const g = makeGraph([["worker", ["api"]], ["api", ["worker"]]])
    expect(findCycle(g)).toEqual(["api", "worker", "api"])
  })
})

describe("dependencyGraph (from config)", () => {
  test("collects services, containers, addons and deploys", () => {
    const c = {
      project: { name: "x" },
      services: { api: { command: "x", depends_on: ["db"] } },
      docker: { db: { image: "pg" } },
      cluster: { addons: { traefik: { type: "helm", chart: "t/t" } }, deploy: { web: { context: ".", manifests: "k", depends_on: ["traefik"] } } },
    } as Config
    expect(Object.fromEntries(dependencyGraph(c))).toEqual({ db: [], api: ["db"], traefik: [], web: ["traefik"] })
  })

  test("a deploy that replaces a service keeps the service's dependencies", () => {
    const c = {
      project: { name: "x" },
      services: { api: { command: "x", depends_on: ["db"] } },
      docker: { db: { image: "pg" } },
      cluster: { deploy: { api: { context: ".", manifests: "k", depends_on: ["cache"] } } },
    } as Config
    expect(dependencyGraph(c).get("api")).toEqual(["cache", "db"])
  })
})
