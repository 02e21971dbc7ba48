/** Terminal output: colours that respect --no-color/NO_COLOR and non-TTY output, and symbols. */
import { globalOptions } from "./context.ts"
import { readerGone } from "./pipe.ts"

const wrap = (open: number, close: number) => (s: string) => (globalOptions.color ? `\x1b[${open}m${s}\x1b[${close}m` : s)

export const c = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  blue: wrap(34, 39),
  magenta: wrap(35, 39),
  cyan: wrap(36, 39),
  gray: wrap(90, 39),
}

const PALETTE = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94]

/** A stable colour per name (same name → same colour in every run). */
export function nameColor(name: string): (s: string) => string {
  let h = 0
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return wrap(PALETTE[h % PALETTE.length]!, 39)
}

export function stateDot(state: string): string {
  switch (state) {
    case "running":
    case "ready":
      return c.green("●")
    case "starting":
    case "pending":
    case "restarting":
    case "stopping":
      return c.yellow("●")
    case "failed":
      return c.red("●")
    default:
      return c.gray("○")
  }
}

/** Writes to stdout; a reader that went away (`devrig ps | head -1`) ends devrig quietly (see pipe.ts). */
export function println(s = ""): void {
  write(process.stdout, s + "\n")
}

export function eprintln(s = ""): void {
  write(process.stderr, s + "\n")
}

export function write(stream: NodeJS.WriteStream, text: string): void {
  try {
    stream.write(text)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPIPE") throw e
    readerGone()
  }
}

/** Pads a string to `width` visible characters (ANSI codes don't count). */
export function pad(s: string, width: number): string {
  const visible = s.replace(/\x1b\[[0-9;]*m/g, "").length
  return s + " ".repeat(Math.max(0, width - visible))
}

export function table(rows: string[][], indent = "  "): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.replace(/\x1b\[[0-9;]*m/g, "").length)))
  return rows.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i]! + 2))).join("").trimEnd()).join("\n")
}
