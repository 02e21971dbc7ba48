/**
 * `{{ project.name }}`-style interpolation: simple references, no logic. Rendered after ports
 * are assigned; validated earlier against the references the config can provide.
 */
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
