/**
 * A small TOML highlighter for the config editor: one pass per line with the little state TOML
 * needs across lines (multi-line strings, open arrays and inline tables). It returns HTML for a
 * <pre> under a transparent <textarea>, so every character must come out exactly once, in
 * order: the two layers must stay aligned. Problems are drawn as wavy underlines.
 */

export type Tok = "comment" | "header" | "key" | "string" | "tpl" | "number" | "bool" | "punct" | "plain"

interface Seg {
  from: number
  to: number
  tok: Tok
}

interface State {
  /** inside a multi-line string opened by this delimiter */
  ml: '"""' | "'''" | null
  /** open [ and { of values spanning lines */
  depth: number
}

const CLASS: Record<Tok, string> = {
  comment: "tk-comment",
  header: "tk-header",
  key: "tk-key",
  string: "tk-string",
  tpl: "tk-tpl",
  number: "tk-number",
  bool: "tk-bool",
  punct: "tk-punct",
  plain: "",
}

/** Splits a string token further so devrig's `{{ … }}` templates stand out. */
function pushString(out: Seg[], line: string, from: number, to: number) {
  const re = /\{\{.*?\}\}/g
  re.lastIndex = from
  let at = from
  for (let m = re.exec(line); m && m.index < to; m = re.exec(line)) {
    const end = Math.min(to, m.index + m[0].length)
    if (m.index > at) out.push({ from: at, to: m.index, tok: "string" })
    out.push({ from: m.index, to: end, tok: "tpl" })
    at = end
  }
  if (at < to) out.push({ from: at, to, tok: "string" })
}

/** End index (exclusive) of a quoted string starting at `i`, or the line length when it is left open. */
function stringEnd(line: string, i: number): number {
  const q = line[i]!
  for (let j = i + 1; j < line.length; j++) {
    if (q === '"' && line[j] === "\\") j++
    else if (line[j] === q) return j + 1
  }
  return line.length
}

export function tokenizeLine(line: string, st: State): Seg[] {
  const out: Seg[] = []
  let i = 0
  if (st.ml) {
    const end = line.indexOf(st.ml)
    if (end === -1) {
      pushString(out, line, 0, line.length)
      return out
    }
    pushString(out, line, 0, end + 3)
    i = end + 3
    st.ml = null
  }
  const lead = /^\s*/.exec(line.slice(i))![0].length
  if (st.depth === 0 && i === 0 && line[lead] === "[") {
    const close = line.indexOf(line[lead + 1] === "[" ? "]]" : "]", lead)
    const end = close === -1 ? line.length : close + (line[lead + 1] === "[" ? 2 : 1)
    if (lead) out.push({ from: 0, to: lead, tok: "plain" })
    out.push({ from: lead, to: end, tok: "header" })
    i = end
  }
  while (i < line.length) {
    const c = line[i]!
    if (c === " " || c === "\t") {
      let j = i
      while (line[j] === " " || line[j] === "\t") j++
      out.push({ from: i, to: j, tok: "plain" })
      i = j
    } else if (c === "#") {
      out.push({ from: i, to: line.length, tok: "comment" })
      i = line.length
    } else if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      const delim = line.slice(i, i + 3) as '"""' | "'''"
      const end = line.indexOf(delim, i + 3)
      const to = end === -1 ? line.length : end + 3
      if (end === -1) st.ml = delim
      pushString(out, line, i, to)
      i = to
    } else if (c === '"' || c === "'") {
      const to = stringEnd(line, i)
      if (/^\s*[.=]/.test(line.slice(to))) out.push({ from: i, to, tok: "key" })
      else pushString(out, line, i, to)
      i = to
    } else if ("[{".includes(c)) {
      st.depth++
      out.push({ from: i, to: i + 1, tok: "punct" })
      i++
    } else if ("]}".includes(c)) {
      st.depth = Math.max(0, st.depth - 1)
      out.push({ from: i, to: i + 1, tok: "punct" })
      i++
    } else if ("=,.".includes(c)) {
      out.push({ from: i, to: i + 1, tok: "punct" })
      i++
    } else {
      const m = /^[A-Za-z0-9_+\-:.]+/.exec(line.slice(i))
      const word = m ? m[0] : c
      // a bare key may be dotted (a.b.c = 1): stop at the first dot when a key follows
      const key = /^[A-Za-z0-9_-]+/.exec(word)?.[0]
      if (key && /^\s*[.=]/.test(line.slice(i + key.length))) {
        out.push({ from: i, to: i + key.length, tok: "key" })
        i += key.length
        continue
      }
      const tok: Tok = /^(true|false)$/.test(word) ? "bool" : /^[+-]?(\d|inf|nan)/.test(word) ? "number" : "plain"
      out.push({ from: i, to: i + word.length, tok })
      i += word.length
    }
  }
  return out
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

export interface Mark {
  line: number
  column: number
}

/** [from, to) of the squiggle for a problem at a 1-based column: the word there, at least one character. */
export function markRange(line: string, column: number): [number, number] {
  const from = Math.max(0, Math.min(column - 1, line.length))
  if (from >= line.length) return [from, from + 1] // past the end: one cell after the text
  let to = from + 1
  while (to < line.length && !/[\s,=\]}]/.test(line[to]!)) to++
  return [from, to]
}

/** The HTML of the whole source, one "\n"-separated line per source line. */
export function highlight(source: string, marks: Mark[] = []): string {
  const lines = source.split("\n")
  const byLine = new Map<number, [number, number][]>()
  for (const m of marks) {
    const text = lines[m.line - 1]
    if (text === undefined) continue
    byLine.set(m.line, [...(byLine.get(m.line) ?? []), markRange(text, m.column)])
  }
  const st: State = { ml: null, depth: 0 }
  let html = ""
  lines.forEach((line, n) => {
    const segs = tokenizeLine(line, st)
    const ranges = byLine.get(n + 1)
    if (n) html += "\n"
    if (!ranges) {
      for (const s of segs) html += wrap(CLASS[s.tok], line.slice(s.from, s.to))
      return
    }
    // cut segments at squiggle boundaries; a squiggle past the end of the line gets a space
    const cuts = new Set<number>()
    for (const [a, b] of ranges) cuts.add(a).add(b)
    const inMark = (at: number) => ranges.some(([a, b]) => at >= a && at < b)
    for (const s of segs) {
      let at = s.from
      for (const c of [...cuts].filter((x) => x > s.from && x < s.to).sort((a, b) => a - b).concat(s.to)) {
        html += wrap(`${CLASS[s.tok]}${inMark(at) ? " squiggle" : ""}`.trim(), line.slice(at, c))
        at = c
      }
    }
    if (ranges.some(([a]) => a >= line.length)) html += `<span class="squiggle"> </span>`
  })
  return html
}

const wrap = (cls: string, text: string) => (cls ? `<span class="${cls}">${esc(text)}</span>` : esc(text))
