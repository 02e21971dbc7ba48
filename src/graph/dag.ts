/**
 * The dependency graph of components (services, containers, compose services, deploys, addons).
 * Pure: topological layers for parallel start, the reverse for stopping, cycles, closures.
 */
export type Deps = Map<string, string[]>

export function makeGraph(entries: Iterable<[string, string[] | undefined]>): Deps {
  const g: Deps = new Map()
  for (const [name, deps] of entries) g.set(name, [...new Set(deps ?? [])])
  return g
}

/** The first cycle found, as a path that starts and ends with the same node, or undefined. */
export function findCycle(g: Deps): string[] | undefined {
  const state = new Map<string, 1 | 2>()
  const stack: string[] = []
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1)
    stack.push(n)
    for (const d of g.get(n) ?? []) {
      if (!g.has(d)) continue
      if (state.get(d) === 1) return [...stack.slice(stack.indexOf(d)), d]
      if (!state.has(d)) {
        const c = visit(d)
        if (c) return c
      }
    }
    stack.pop()
    state.set(n, 2)
    return undefined
  }
  for (const n of [...g.keys()].sort()) if (!state.has(n)) {
    const c = visit(n)
    if (c) return c
  }
  return undefined
}

/** Start layers: every node after all its dependencies; nodes within a layer are independent. */
export function layers(g: Deps, only?: Set<string>): string[][] {
  const nodes = [...g.keys()].filter((n) => !only || only.has(n))
  const level = new Map<string, number>()
  const depth = (n: string, seen: Set<string>): number => {
    const known = level.get(n)
    if (known !== undefined) return known
    if (seen.has(n)) throw new Error(`dependency cycle through ${n}`)
    seen.add(n)
    let d = 0
    for (const dep of g.get(n) ?? []) if (g.has(dep) && (!only || only.has(dep))) d = Math.max(d, depth(dep, seen) + 1)
    seen.delete(n)
    level.set(n, d)
    return d
  }
  const out: string[][] = []
  for (const n of nodes) (out[depth(n, new Set())] ??= []).push(n)
  return out.filter(Boolean).map((l) => l.sort())
}

/** Stop layers: dependents before their dependencies. */
export function stopLayers(g: Deps, only?: Set<string>): string[][] {
  return layers(g, only).reverse()
}

/** The named nodes plus everything they transitively depend on. */
export function closure(g: Deps, names: Iterable<string>): Set<string> {
  const out = new Set<string>()
  const walk = (n: string) => {
    if (out.has(n)) return
    out.add(n)
    for (const d of g.get(n) ?? []) if (g.has(d)) walk(d)
  }
  for (const n of names) walk(n)
  return out
}

/** Everything that transitively depends on `name`. */
export function dependents(g: Deps, name: string): Set<string> {
  const out = new Set<string>()
  let changed = true
  while (changed) {
    changed = false
    for (const [n, deps] of g) if (!out.has(n) && deps.some((d) => d === name || out.has(d))) {
      out.add(n)
      changed = true
    }
  }
  return out
}
