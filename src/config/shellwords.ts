/**
 * Splits a command string the way a shell would (quotes and backslashes respected, no expansion,
 * no shell run), as Compose does for `command = "…"`.
 */
export function splitArgs(input: string): string[] {
  const out: string[] = []
  let cur = ""
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!
    if (quote) {
      if (c === quote) quote = undefined
      else if (c === "\\" && quote === '"' && (input[i + 1] === '"' || input[i + 1] === "\\")) cur += input[++i]
      else cur += c
    } else if (c === '"' || c === "'") {
      quote = c
      inWord = true
    } else if (c === "\\" && i + 1 < input.length) {
      cur += input[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur)
      cur = ""
      inWord = false
    } else {
      cur += c
      inWord = true
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in ${JSON.stringify(input)}`)
  if (inWord) out.push(cur)
  return out
}
