/**
 * Checks a parsed TOML value against the TypeBox schema and reports every mismatch with a
 * message a person can act on: unknown keys with a suggestion, missing keys, wrong types named
 * in TOML terms, and the allowed values of a literal union. TypeBox's own error list is made for
 * programs ("Expected union value"); this walker reads the same schema and speaks for people.
 */
import { Kind, type TSchema } from "@sinclair/typebox"
import type { KeyPath } from "./locate.ts"
import { didYouMean, type Problem } from "./problems.ts"

export function checkSchema(schema: TSchema, value: unknown, path: KeyPath = [], out: Problem[] = []): Problem[] {
  const kind = (schema as { [Kind]?: string })[Kind]
  const where = path.length ? `\`${path.join(".")}\`` : "the document"
  switch (kind) {
    case "Object":
      return checkObject(schema, value, path, out)
    case "Record": {
      if (!isTable(value)) return push(out, path, `${where} must be a table, found ${tomlType(value)}`)
      const inner = Object.values(schema.patternProperties as Record<string, TSchema>)[0]!
      for (const [k, v] of Object.entries(value)) checkSchema(inner, v, [...path, k], out)
      return out
    }
    case "Array": {
      if (!Array.isArray(value)) return push(out, path, `${where} must be an array, found ${tomlType(value)}`)
      value.forEach((v, i) => checkSchema(schema.items as TSchema, v, [...path, i], out))
      return out
    }
    case "Union":
      return checkUnion(schema, value, path, out)
    case "Literal":
      if (value !== schema.const) push(out, path, `${where} must be ${JSON.stringify(schema.const)}`)
      return out
    case "String":
      if (typeof value !== "string") return push(out, path, `${where} must be a string, found ${tomlType(value)}`)
      if (schema.pattern && !new RegExp(schema.pattern).test(value))
        return push(out, path, `${where} has an invalid value ${JSON.stringify(value)}: expected ${schema.patternDescription ?? schema.description ?? `to match ${schema.pattern}`}`)
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        push(out, path, `${where} is too long (at most ${schema.maxLength} characters)`)
      return out
    case "Integer":
    case "Number": {
      const integer = kind === "Integer"
      if (typeof value !== "number" || (integer && !Number.isInteger(value)))
        return push(out, path, `${where} must be ${integer ? "an integer" : "a number"}, found ${tomlType(value)}`)
      // TOML has inf and nan; NaN passes every comparison below, and either one later made
      // parseDuration throw an unlocated "invalid duration NaN" (found by the config fuzz test)
      if (!Number.isFinite(value)) return push(out, path, `${where} must be a finite number, found ${value}`)
      if (schema.minimum !== undefined && value < schema.minimum) push(out, path, `${where} must be at least ${schema.minimum}, found ${value}`)
      if (schema.maximum !== undefined && value > schema.maximum) push(out, path, `${where} must be at most ${schema.maximum}, found ${value}`)
      return out
    }
    case "Boolean":
      if (typeof value !== "boolean") push(out, path, `${where} must be true or false, found ${tomlType(value)}`)
      return out
    default:
      return out
  }
}

function checkObject(schema: TSchema, value: unknown, path: KeyPath, out: Problem[]): Problem[] {
  const where = path.length ? `\`${path.join(".")}\`` : "the document"
  if (!isTable(value)) return push(out, path, `${where} must be a table, found ${tomlType(value)}`)
  const props = schema.properties as Record<string, TSchema>
  const required = new Set<string>((schema.required as string[] | undefined) ?? [])
  for (const [k, v] of Object.entries(value)) {
    const child = props[k]
    if (!child) {
      const section = path.length ? `[${path.join(".")}]` : "the top level"
      push(out, [...path, k], `unknown key \`${k}\` in ${section}${didYouMean(k, Object.keys(props))}`)
      continue
    }
    checkSchema(child, v, [...path, k], out)
  }
  for (const k of required)
    if (!(k in value)) push(out, path, `${path.length ? `[${path.join(".")}]` : "the document"} is missing \`${k}\` (${props[k]?.description ?? "required"})`)
  return out
}

function checkUnion(schema: TSchema, value: unknown, path: KeyPath, out: Problem[]): Problem[] {
  const where = path.length ? `\`${path.join(".")}\`` : "the document"
  const variants = schema.anyOf as TSchema[]
  const discriminator = schema.discriminator as string | undefined
  if (discriminator) {
    if (!isTable(value)) return push(out, path, `${where} must be a table, found ${tomlType(value)}`)
    const tags = variants.map((v) => (v.properties as Record<string, TSchema>)[discriminator]!.const as string)
    const tag = value[discriminator]
    const i = tags.indexOf(tag as string)
    if (i < 0) {
      const msg =
        tag === undefined
          ? `${where} is missing \`${discriminator}\` (one of ${tags.map((t) => `"${t}"`).join(", ")})`
          : `${where} has unknown ${discriminator} ${JSON.stringify(tag)}: expected one of ${tags.map((t) => `"${t}"`).join(", ")}${didYouMean(String(tag), tags)}`
      return push(out, tag === undefined ? path : [...path, discriminator], msg)
    }
    return checkSchema(variants[i]!, value, path, out)
  }
  for (const v of variants) if (checkSchema(v, value, path, []).length === 0) return out
  const found = typeof value === "string" ? JSON.stringify(value) : tomlType(value)
  // A union of literals is a choice: name every allowed value (and the likely typo).
  if (variants.every((v) => (v as { [Kind]?: string })[Kind] === "Literal")) {
    const allowed = variants.map((v) => v.const as unknown)
    const hint = typeof value === "string" ? didYouMean(value, allowed.map(String)) : ""
    return push(out, path, `${where} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, found ${found}${hint}`)
  }
  // No variant fits. If exactly one non-literal variant has the right TOML type, its message is the
  // precise one ("must be at most 65535"); a lone literal ("auto") would hide the other choices.
  const sameType = variants.filter((v) => kindMatches(v, value))
  if (sameType.length === 1 && (sameType[0] as { [Kind]?: string })[Kind] !== "Literal") return checkSchema(sameType[0]!, value, path, out)
  return push(out, path, `${where} must be ${oneOf(variants.map(describe))}, found ${found}`)
}

function kindMatches(schema: TSchema, value: unknown): boolean {
  switch ((schema as { [Kind]?: string })[Kind]) {
    case "Object":
    case "Record":
      return isTable(value)
    case "Array":
      return Array.isArray(value)
    case "String":
      return typeof value === "string"
    case "Integer":
    case "Number":
      return typeof value === "number"
    case "Boolean":
      return typeof value === "boolean"
    case "Literal":
      return typeof value === typeof schema.const
    default:
      return false
  }
}

function describe(schema: TSchema): string {
  const kind = (schema as { [Kind]?: string })[Kind]
  if (kind === "Literal") return JSON.stringify(schema.const)
  if (kind === "Integer" || kind === "Number") {
    const what = kind === "Integer" ? "an integer" : "a number"
    if (schema.minimum !== undefined && schema.maximum !== undefined) return `${what} from ${schema.minimum} to ${schema.maximum}`
    return what
  }
  if (kind === "String" && schema.pattern && schema.description) return schema.description
  if (kind === "Array") return "an array"
  if (kind === "Object" || kind === "Record") return "a table"
  return `a ${String(kind).toLowerCase()}`
}

/** "a", "a or b", "a, b or c" */
function oneOf(words: string[]): string {
  return words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`
}

function push(out: Problem[], path: KeyPath, message: string): Problem[] {
  out.push({ path, message })
  return out
}

export function isTable(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)
}

export function tomlType(v: unknown): string {
  if (Array.isArray(v)) return "an array"
  if (v instanceof Date) return "a date"
  if (v === null || v === undefined) return "nothing"
  if (typeof v === "object") return "a table"
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a float"
  if (typeof v === "boolean") return "a boolean"
  return "a string"
}
