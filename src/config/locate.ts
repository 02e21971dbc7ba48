/**
 * Maps key paths of a TOML document to their line and column, so every validation message can
 * point at `devrig.toml:LINE:COL`. smol-toml gives values but no positions; this scanner walks the
 * same text once (strings and comments skipped, inline tables and arrays descended) and records
 * where each key, and each array element, starts. It runs only after smol-toml accepted the file,
 * so it can be forgiving about syntax.
 */
export type KeyPath = (string | number)[]
export interface Position {
  line: number
  column: number
}

export class Locator {
  private readonly positions = new Map<string, Position>()
  private readonly lines: string[]
  /** offset at which each line starts, for a binary search instead of a scan per key */
  private readonly lineStarts: number[] = [0]

  constructor(readonly source: string) {
    this.lines = source.split("\n")
    for (const l of this.lines) this.lineStarts.push(this.lineStarts[this.lineStarts.length - 1]! + l.length + 1)
    new Scanner(source, (path, offset) => {
      // Prefixes too: `[servics.api]` must locate a problem about the table `servics` itself.
      // Longest first, stopping at the first one already known: every recorded path has all its
      // prefixes recorded, so the rest are known too. (Shortest-first made a value nested 1000
      // arrays deep cost seconds — O(depth³) — found by fuzzing.)
      const pos = this.toPosition(offset)
      for (let n = path.length; n >= 1; n--) {
        const key = pathKey(path.slice(0, n))
        if (this.positions.has(key)) break
        this.positions.set(key, pos)
      }
    }).document()
  }

  /** The position of `path`, or of its nearest located ancestor. */
  locate(path: KeyPath): Position {
    for (let n = path.length; n > 0; n--) {
      const p = this.positions.get(pathKey(path.slice(0, n)))
      if (p) return p
    }
    return { line: 1, column: 1 }
  }

  lineText(line: number): string {
    return this.lines[line - 1] ?? ""
  }

  private toPosition(offset: number): Position {
    // the last line starting at or before offset
    let lo = 0
    let hi = this.lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.lineStarts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 }
  }
}

export function pathKey(path: KeyPath): string {
  return path.map(String).join("\u0000")
}

class Scanner {
  private i = 0
  constructor(
    private readonly s: string,
    private readonly record: (path: KeyPath, offset: number) => void,
  ) {}

  document(): void {
    let table: KeyPath = []
    while (this.i < this.s.length) {
      this.skipSpaceAndComments(true)
      if (this.i >= this.s.length) break
      if (this.s[this.i] === "[") {
        const arrayTable = this.s[this.i + 1] === "["
        const start = this.i
        this.i += arrayTable ? 2 : 1
        table = this.keys()
        this.record(table, start)
        this.skipLine()
        continue
      }
      this.keyValue(table)
      this.skipLine()
    }
  }

  private keyValue(base: KeyPath): void {
    this.skipSpaceAndComments(false)
    const start = this.i
    const keys = this.keys()
    if (keys.length === 0) return this.skipLine()
    const path = [...base, ...keys]
    this.record(path, start)
    this.skipSpaceAndComments(false)
    if (this.s[this.i] !== "=") return
    this.i++
    this.value(path)
  }

  private value(path: KeyPath): void {
    this.skipSpaceAndComments(false)
    const c = this.s[this.i]
    if (c === "{") {
      this.i++
      for (;;) {
        this.skipSpaceAndComments(true)
        if (this.i >= this.s.length || this.s[this.i] === "}") break
        if (this.s[this.i] === ",") {
          this.i++
          continue
        }
        const before = this.i
        this.keyValue(path)
        if (this.i === before) this.i++
      }
      this.i++
    } else if (c === "[") {
      this.i++
      for (let index = 0; ; ) {
        this.skipSpaceAndComments(true)
        if (this.i >= this.s.length || this.s[this.i] === "]") break
        if (this.s[this.i] === ",") {
          this.i++
          index++
          continue
        }
        this.record([...path, index], this.i)
        const before = this.i
        this.value([...path, index])
        if (this.i === before) this.i++
      }
      this.i++
    } else if (c === '"' || c === "'") {
      this.string()
    } else {
      while (this.i < this.s.length && !",]}\n#".includes(this.s[this.i]!)) this.i++
    }
  }

  /** Dotted key (bare or quoted parts); stops at `=`, `]` or end of line. */
  private keys(): string[] {
    const out: string[] = []
    for (;;) {
      this.skipSpaceAndComments(false)
      const c = this.s[this.i]
      if (c === '"' || c === "'") out.push(this.string())
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.i, this.i + 256))
        if (!m) break
        out.push(m[0])
        this.i += m[0].length
      }
      this.skipSpaceAndComments(false)
      if (this.s[this.i] !== ".") break
      this.i++
    }
    return out
  }

  private string(): string {
    const q = this.s[this.i]!
    const triple = this.s.startsWith(q.repeat(3), this.i)
    const end = triple ? q.repeat(3) : q
    this.i += end.length
    let out = ""
    while (this.i < this.s.length && !this.s.startsWith(end, this.i)) {
      if (q === '"' && this.s[this.i] === "\\") {
        out += this.s[this.i + 1] ?? ""
        this.i += 2
        continue
      }
      if (!triple && this.s[this.i] === "\n") break
      out += this.s[this.i++]
    }
    this.i += end.length
    return out
  }

  private skipSpaceAndComments(newlines: boolean): void {
    while (this.i < this.s.length) {
      const c = this.s[this.i]!
      if (c === " " || c === "\t" || c === "\r" || (newlines && c === "\n")) this.i++
      else if (c === "#") while (this.i < this.s.length && this.s[this.i] !== "\n") this.i++
      else break
    }
  }

  private skipLine(): void {
    while (this.i < this.s.length && this.s[this.i] !== "\n") {
      if (this.s[this.i] === '"' || this.s[this.i] === "'") this.string()
      else this.i++
    }
  }
}
