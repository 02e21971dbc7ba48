/**
 * Dependency-driven start of a graph's nodes (containers within one start): each node as soon as
 * its own dependencies are done, not a whole layer at a time.
 */
/**
 * Runs each node once all of its dependencies (within `graph`) ran successfully. The first failure
 * aborts the signal passed to every run (siblings can cancel their ready checks), nothing new
 * starts after it, and, once everything in flight settled, that first error is thrown. An abort
 * of `outer` does the same without an error of its own.
 */
export async function runGraph(graph: Map<string, string[]>, run: (name: string, signal: AbortSignal) => Promise<void>, outer?: AbortSignal): Promise<void> {
  const abort = new AbortController()
  // an outer abort (an interrupt) cancels every run in flight and starts nothing more
  const cancel = () => abort.abort()
  outer?.addEventListener("abort", cancel, { once: true })
  let first: { error: unknown } | undefined
  const done = new Map<string, Promise<boolean>>()
  const visit = (name: string, path: Set<string>): Promise<boolean> => {
    const known = done.get(name)
    if (known) return known
    if (path.has(name)) throw new Error(`dependency cycle through ${name}`)
    const deps = (graph.get(name) ?? []).filter((d) => d !== name && graph.has(d))
    const inner = new Set([...path, name])
    const depsDone = deps.map((d) => visit(d, inner))
    const p = (async () => {
      if (!(await Promise.all(depsDone)).every(Boolean) || abort.signal.aborted) return false
      try {
        await run(name, abort.signal)
        return true
      } catch (e) {
        if (!first) {
          first = { error: e }
          abort.abort()
        }
        return false
      }
    })()
    done.set(name, p)
    return p
  }
  for (const n of graph.keys()) visit(n, new Set())
  await Promise.all(done.values())
  outer?.removeEventListener("abort", cancel)
  if (first) throw first.error
}
