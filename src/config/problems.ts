/**
 * Validation problems. Every check reports all it finds (nothing stops at the first error);
 * `ConfigError` carries them all and prints each as `devrig.toml:LINE:COL: message` with the
 * offending line underneath.
 */
import { basename } from "node:path"
import { InputError } from "../errors.ts"
import type { KeyPath, Locator } from "./locate.ts"

export interface Problem {
  path: KeyPath
  message: string
}

export interface LocatedProblem {
  line: number
  column: number
  message: string
  /** the TOML key the problem is about (`services.api.env.URL`); absent for syntax errors */
  key?: string
}

const SUGGESTION = / \((did you mean `[^`]+`\?)\)/

/** A problem as `devrig validate --json` and the MCP tool `validate_config` give it. */
export function problemJson(file: string, p: LocatedProblem) {
  return { file, line: p.line, col: p.column, key: p.key ?? null, message: p.message, hint: SUGGESTION.exec(p.message)?.[1] ?? null }
}

export function locateProblems(problems: Problem[], locator: Locator): LocatedProblem[] {
  return problems
    .map((p) => ({ ...locator.locate(p.path), message: p.message, ...(p.path.length ? { key: formatKey(p.path) } : {}) }))
    .sort((a, b) => a.line - b.line || a.column - b.column)
}

/** A key path as TOML spells it: `services.api.depends_on[0]`, `env."my key"`. */
export function formatKey(path: KeyPath): string {
  return path
    .map((k, i) => (typeof k === "number" ? `[${k}]` : `${i ? "." : ""}${/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k)}`))
    .join("")
}

export function formatProblem(file: string, p: LocatedProblem, locator: Locator): string {
  const text = locator.lineText(p.line)
  const gutter = String(p.line).padStart(4)
  return `${basename(file)}:${p.line}:${p.column}: ${p.message}\n${gutter} | ${text}\n     | ${" ".repeat(Math.max(0, p.column - 1))}^`
}

export class ConfigError extends InputError {
  constructor(
    readonly file: string,
    readonly problems: LocatedProblem[],
    locator: Locator,
  ) {
    const n = problems.length
    super(n === 1 ? `${basename(file)}: 1 problem` : `${basename(file)}: ${n} problems`, {
      details: problems.map((p) => formatProblem(file, p, locator)),
    })
  }
}

/** Damerau-free Levenshtein distance; small inputs only (key names). */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]!
}

/** The closest candidate within a distance that still reads as a typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestD = Infinity
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase())
    if (d < bestD) {
      best = c
      bestD = d
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3) + 1))
  return bestD <= limit ? best : undefined
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates)
  return s ? ` (did you mean \`${s}\`?)` : ""
}
