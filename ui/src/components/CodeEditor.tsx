/**
 * A plain <textarea> with transparent text over a highlighted <pre>: native editing, undo,
 * selection, IME and accessibility for free, colours and problem squiggles from the layer below.
 * Both layers share every metric that affects layout (font, size, line height, tab size, no
 * wrapping, no ligatures), so the caret sits exactly on the coloured glyphs.
 */
import { createMemo, createSignal, For, Show } from "solid-js"
import type { ConfigProblem } from "../../../src/server/api-types.ts"
import { highlight } from "../lib/toml-highlight.ts"

export const LINE_PX = 20
const PAD_Y = 8

export interface EditorApi {
  /** put the caret at a 1-based line and column and bring it to the middle of the view */
  reveal(line: number, column: number): void
  focus(): void
}

/** Offset in `text` of a 1-based line:column (clamped to the line). */
export function offsetOf(text: string, line: number, column: number): number {
  let off = 0
  const lines = text.split("\n")
  for (let i = 0; i < Math.min(line - 1, lines.length - 1); i++) off += lines[i]!.length + 1
  return off + Math.max(0, Math.min(column - 1, lines[Math.min(line, lines.length) - 1]?.length ?? 0))
}

export function CodeEditor(props: {
  value: string
  onInput: (v: string) => void
  problems: ConfigProblem[]
  onSave: () => void
  ref?: (api: EditorApi) => void
  label: string
}) {
  let scroller!: HTMLDivElement
  let ta!: HTMLTextAreaElement
  const [caretLine, setCaretLine] = createSignal(1)
  const [focused, setFocused] = createSignal(false)
  const lineCount = createMemo(() => props.value.split("\n").length)
  const html = createMemo(() => highlight(props.value, props.problems) + "\n ")
  const byLine = createMemo(() => {
    const m = new Map<number, ConfigProblem[]>()
    for (const p of props.problems) m.set(p.line, [...(m.get(p.line) ?? []), p])
    return m
  })

  const trackCaret = () => setCaretLine(props.value.slice(0, ta.selectionStart).split("\n").length)
  const insert = (text: string) => {
    // execCommand keeps the browser's own undo stack (setting .value would wipe it)
    if (!document.execCommand("insertText", false, text)) ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, "end")
    props.onInput(ta.value)
  }
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "s") {
      e.preventDefault()
      props.onSave()
    } else if (e.key === "Tab" && !e.shiftKey && !e.metaKey && !e.ctrlKey && !e.altKey) {
      e.preventDefault()
      insert("  ")
    } else if (e.key === "Enter" && !e.metaKey && !e.ctrlKey && !e.altKey && !e.shiftKey && !e.isComposing) {
      // keep the indentation of the current line
      const before = ta.value.slice(0, ta.selectionStart)
      const indent = /^[ \t]*/.exec(before.slice(before.lastIndexOf("\n") + 1))![0]
      if (!indent) return
      e.preventDefault()
      insert(`\n${indent}`)
    }
  }

  props.ref?.({
    reveal(line, column) {
      const off = offsetOf(ta.value, line, column)
      ta.focus({ preventScroll: true })
      ta.setSelectionRange(off, off)
      trackCaret()
      scroller.scrollTo({ top: Math.max(0, PAD_Y + (line - 1) * LINE_PX - scroller.clientHeight / 2), behavior: "smooth" })
    },
    focus: () => ta.focus(),
  })

  return (
    <div ref={scroller} class="editor relative flex-1 min-h-0 overflow-auto bg-panel" style={{ "scroll-padding-left": "80px", "scroll-padding-block": `${LINE_PX}px` }} data-testid="config-editor">
      <div class="flex min-w-full w-max min-h-full">
        <div class="sticky left-0 z-10 shrink-0 bg-panel border-r border-line select-none" style={{ "padding-top": `${PAD_Y}px`, "padding-bottom": `${PAD_Y + LINE_PX}px` }} aria-hidden="true" data-testid="editor-gutter">
          <For each={Array.from({ length: lineCount() }, (_, i) => i + 1)}>
            {(n) => {
              const here = () => byLine().get(n)
              return (
                <div
                  class="flex items-center gap-1 pl-2 pr-3 text-right"
                  classList={{ "text-fg": n === caretLine(), "text-faint": n !== caretLine() && !here(), "text-err": !!here() }}
                  style={{ height: `${LINE_PX}px` }}
                  title={here()?.map((p) => `${p.line}:${p.column} ${p.message}`).join("\n")}
                  data-line={n}
                  data-testid={here() ? "gutter-marker" : undefined}
                >
                  <span class="w-2 flex justify-center">
                    <Show when={here()}>
                      <span class="size-2 rounded-full bg-err" />
                    </Show>
                  </span>
                  <span class="min-w-6 tabular-nums">{n}</span>
                </div>
              )
            }}
          </For>
        </div>
        <div class="relative flex-1">
          {/* line backgrounds: the caret's line and the lines with problems */}
          <div class="absolute inset-x-0 bg-hover/60 pointer-events-none" classList={{ hidden: !focused() }} style={{ top: `${PAD_Y + (caretLine() - 1) * LINE_PX}px`, height: `${LINE_PX}px` }} />
          <For each={[...byLine().keys()]}>{(n) => <div class="absolute inset-x-0 bg-err/8 pointer-events-none" style={{ top: `${PAD_Y + (n - 1) * LINE_PX}px`, height: `${LINE_PX}px` }} />}</For>
          <pre class="editor-text relative pointer-events-none" aria-hidden="true" innerHTML={html()} data-testid="config-source" />
          <textarea
            ref={ta}
            class="editor-text editor-input absolute inset-0 w-full h-full"
            value={props.value}
            onInput={(e) => (props.onInput(e.currentTarget.value), trackCaret())}
            onKeyDown={onKeyDown}
            onKeyUp={trackCaret}
            onClick={trackCaret}
            onSelect={trackCaret}
            onFocus={() => setFocused(true)}
            onBlur={() => setFocused(false)}
            spellcheck={false}
            autocomplete="off"
            autocapitalize="off"
            wrap="off"
            aria-label={props.label}
            aria-multiline="true"
            data-testid="config-input"
          />
        </div>
      </div>
    </div>
  )
}
