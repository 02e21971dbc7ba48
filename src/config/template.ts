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

export function renderTemplate(text: string, values: Record<string, string | number>): string {
  if (!hasTemplate(text)) return text
  return text.replace(TEMPLATE, (_, ref: string) => {
    const v = values[ref]
    if (v === undefined) throw new UnknownTemplateError(ref)
    return String(v)
  })
}
