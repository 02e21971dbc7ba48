/**
 * [cluster.addons.*]: helm charts, manifests (file or URL) and kustomizations, installed after
 * the cluster is up and before deploys, in depends_on order. Installs are idempotent
 * (`helm upgrade --install`, `kubectl apply`), so every `devrig start` simply runs them again.
 */
import { isAbsolute, resolve } from "node:path"
import { InputError } from "../errors.ts"
import type { Addon } from "../config/schema.ts"
import type { ResolvedConfig } from "../config/resolved.ts"
import { chartRepoAlias, helm, kubectl, type Argv } from "./argv.ts"
import { run, runOk, commandError } from "./exec.ts"
import { kubeEnv } from "./kubeconfig.ts"
import type { Log } from "./lifecycle.ts"
import { requireTool } from "./tools.ts"

export type NamedAddon = Addon & { name: string }

/**
 * Addon names in install order: dependencies first, ties alphabetical so runs are repeatable.
 * depends_on entries naming something other than an addon are the caller's business and ignored.
 */
export function addonOrder(addons: Record<string, NamedAddon>): string[] {
  const names = Object.keys(addons).sort()
  const deps = new Map(names.map((n) => [n, (addons[n]!.depends_on ?? []).filter((d) => d in addons)]))
  const done = new Set<string>()
  const order: string[] = []
  while (order.length < names.length) {
    const ready = names.filter((n) => !done.has(n) && deps.get(n)!.every((d) => done.has(d)))
    if (ready.length === 0) {
      const stuck = names.filter((n) => !done.has(n))
      throw new InputError(`cluster addons depend on each other in a cycle: ${stuck.join(", ")}`)
    }
    for (const n of ready) {
      done.add(n)
      order.push(n)
    }
  }
  return order
}

export function addonNamespace(a: Addon): string {
  return a.namespace ?? "default"
}

/** The commands that install one addon, in order, with stdin where one is needed. Pure. */
export function installSteps(a: NamedAddon, root: string): { argv: Argv; stdin?: string }[] {
  const ns = addonNamespace(a)
  switch (a.type) {
    case "helm": {
      const alias = chartRepoAlias(a.chart)
      const steps: { argv: Argv; stdin?: string }[] = []
      if (a.repo && alias) steps.push({ argv: helm.repoAdd(alias, a.repo) })
      steps.push({
        argv: helm.upgradeInstall({
          release: a.name,
          chart: a.chart,
          namespace: ns,
          version: a.version,
          repo: a.repo && !alias ? a.repo : undefined,
          values: a.values,
        }),
      })
      return steps
    }
    case "manifest": {
      const source = a.url ?? (a.path ? _abs(root, a.path) : undefined)
      if (!source) throw new InputError(`addon "${a.name}": a manifest addon needs path or url`)
      return [..._namespaceStep(ns), { argv: kubectl.apply({ file: source, namespace: ns }) }]
    }
    case "kustomize":
      return [..._namespaceStep(ns), { argv: kubectl.apply({ kustomize: _abs(root, a.path), namespace: ns }) }]
  }
}

export function uninstallSteps(a: NamedAddon, root: string): Argv[] {
  const ns = addonNamespace(a)
  switch (a.type) {
    case "helm":
      return [helm.uninstall(a.name, ns)]
    case "manifest": {
      const source = a.url ?? (a.path ? _abs(root, a.path) : undefined)
      return source ? [kubectl.delete({ file: source, namespace: ns })] : []
    }
    case "kustomize":
      return [kubectl.delete({ kustomize: _abs(root, a.path), namespace: ns })]
  }
}

/** kubectl apply -n does not create the namespace; applying a Namespace object does, idempotently. */
function _namespaceStep(ns: string): { argv: Argv; stdin: string }[] {
  if (ns === "default") return []
  return [{ argv: kubectl.apply({ file: "-" }), stdin: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }) }]
}

function _abs(root: string, p: string): string {
  return isAbsolute(p) ? p : resolve(root, p)
}

export async function installAddons(cfg: ResolvedConfig, log: Log = () => {}): Promise<string[]> {
  const addons = cfg.cluster?.addons ?? {}
  const order = addonOrder(addons)
  if (order.some((n) => addons[n]!.type === "helm")) requireTool("helm", "for helm addons")
  const env = kubeEnv(cfg.identity.root)
  for (const name of order) {
    log(`installing addon ${name}`)
    for (const step of installSteps(addons[name]!, cfg.identity.root)) {
      await runOk(step.argv, { env, stdin: step.stdin, cwd: cfg.identity.root, timeoutMs: 600_000 })
    }
  }
  return order
}

/** Reverse order; an addon that is already gone is fine. */
export async function uninstallAddons(cfg: ResolvedConfig, log: Log = () => {}): Promise<void> {
  const addons = cfg.cluster?.addons ?? {}
  const env = kubeEnv(cfg.identity.root)
  for (const name of addonOrder(addons).reverse()) {
    log(`removing addon ${name}`)
    for (const argv of uninstallSteps(addons[name]!, cfg.identity.root)) {
      const res = await run(argv, { env, cwd: cfg.identity.root, timeoutMs: 300_000 })
      if (res.code !== 0 && !/not found/i.test(res.stderr)) throw commandError(argv, res)
    }
  }
}
