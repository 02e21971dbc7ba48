/**
 * `{{ project.name }}`-style interpolation: simple references, no logic. Rendered after ports
 * are assigned; validated earlier against the references the config can provide.
 */
import type { KeyPath } from "./locate.ts"
import { didYouMean, formatKey } from "./problems.ts"

export const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g

export function templateRefs(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((m) => m[1]!)
}

export function hasTemplate(text: string): boolean {
  return text.includes("{{")
}

export class UnknownTemplateError extends Error {
  constructor(readonly ref: string) {
    super(`unknown template reference {{ ${ref} }}`)
  }
}

/**
 * Renders every reference. `deferred(ref)` marks references only known later (compose ports,
 * known once the stack is up): they are left in place for a second render.
 */
export function renderTemplate(text: string, values: Record<string, string | number>, deferred: (ref: string) => boolean = () => false): string {
  if (!hasTemplate(text)) return text
  return text.replace(TEMPLATE, (all, ref: string) => {
    const v = values[ref]
    if (v !== undefined) return String(v)
    if (deferred(ref)) return all
    throw new UnknownTemplateError(ref)
  })
}

/** What a config offers to templates: each component's port names ("port" for the main one). */
export interface TemplateSources {
  services: Record<string, string[]>
  docker: Record<string, string[]>
  compose: string[]
}

const KIND_LABEL = { services: "a service", docker: "a [docker.*] container", compose: "a compose service" } as const

/**
 * The message for a reference the config cannot provide, saying why: the component does not
 * exist (or is of another kind), or has no such port. `refs` are every reference it can provide.
 */
export function unknownRefMessage(ref: string, refs: Iterable<string>, src: TemplateSources): string {
  const head = `unknown template reference {{ ${ref} }}`
  const m = /^(services|docker|compose)\.([^.]+)\.(.+)$/.exec(ref)
  if (!m) return head + didYouMean(ref, refs)
  const kind = m[1] as keyof TemplateSources
  const [name, rest] = [m[2]!, m[3]!]
  const names = (k: keyof TemplateSources) => (k === "compose" ? src.compose : Object.keys(src[k]))
  if (!names(kind).includes(name)) {
    const other = (["services", "docker", "compose"] as const).find((k) => names(k).includes(name))
    if (!other) return `${head}: no component \`${name}\` exists${didYouMean(name, names(kind))}`
    const instead = `${other}.${name}.${rest}`
    return `${head}: \`${name}\` is ${KIND_LABEL[other]}, not ${KIND_LABEL[kind]}${[...refs].includes(instead) ? ` (use {{ ${instead} }})` : ""}`
  }
  if (kind !== "compose" && rest === "port") return `${head}: [${kind}.${name}] has no \`port\` to reference`
  const named = /^ports\.(.+)$/.exec(rest)?.[1]
  if (kind === "docker" && named !== undefined) {
    const known = src.docker[name]!.filter((p) => p !== "port")
    return `${head}: [docker.${name}] has no port named \`${named}\`${didYouMean(named, known)}`
  }
  return head + didYouMean(ref, refs)
}

/**
 * The key a template problem is about, as a message names it (the `$VAR` errors do the same):
 * the variable of an env table, else the key inside its component (`command[1]`, `ready_check.url`).
 */
export function templateKeyLabel(path: KeyPath): string {
  if (path.length >= 2 && path[path.length - 2] === "env" && typeof path[path.length - 1] === "string") return String(path[path.length - 1])
  if ((path[0] === "services" || path[0] === "docker") && path.length > 2) return formatKey(path.slice(2))
  return formatKey(path)
}
