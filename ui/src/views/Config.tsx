import { createMemo, For, Show } from "solid-js"
import type { ConfigResponse } from "../../../src/server/api-types.ts"
import { IconAlert } from "../components/icons.tsx"
import { Page } from "../components/Page.tsx"
import { urls } from "../lib/api.ts"
import { useQuery } from "../lib/live.ts"

/** Minimal TOML colouring: comments, [tables], keys, strings, numbers/booleans. */
function Line(props: { text: string }) {
  const parts = createMemo(() => {
    const t = props.text
    const m = /^(\s*)(#.*)$/.exec(t)
    if (m) return [["", m[1]!], ["text-faint italic", m[2]!]]
    const h = /^(\s*)(\[\[?[^\]]+\]\]?)(.*)$/.exec(t)
    if (h) return [["", h[1]!], ["text-accent font-semibold", h[2]!], ["text-faint", h[3]!]]
    const kv = /^(\s*)([\w.\-"']+)(\s*=\s*)(.*)$/.exec(t)
    if (!kv) return [["", t]]
    const [, ind, key, eq, rest] = kv
    const out: string[][] = [["", ind!], ["text-info", key!], ["text-faint", eq!]]
    const re = /("(?:[^"\\]|\\.)*"|'[^']*'|#.*$|\b(?:true|false)\b|-?\b\d[\d_.]*\b)/g
    let last = 0
    for (const mm of rest!.matchAll(re)) {
      out.push(["", rest!.slice(last, mm.index)])
      const tok = mm[0]
      out.push([tok.startsWith("#") ? "text-faint italic" : tok.startsWith('"') || tok.startsWith("'") ? "text-ok" : "text-warn", tok])
      last = mm.index! + tok.length
    }
    out.push(["", rest!.slice(last)])
    return out
  })
  return <For each={parts()}>{([c, s]) => (c ? <span class={c}>{s}</span> : s)}</For>
}

export function ConfigView() {
  const q = useQuery<ConfigResponse>(() => urls.config())
  const lines = createMemo(() => (q.data()?.source ?? "").split("\n"))
  const problemsAt = createMemo(() => {
    const m = new Map<number, string[]>()
    for (const p of q.data()?.problems ?? []) m.set(p.line, [...(m.get(p.line) ?? []), `${p.column}: ${p.message}`])
    return m
  })
  const scrollTo = (line: number) => document.getElementById(`L${line}`)?.scrollIntoView({ block: "center", behavior: "smooth" })
  return (
    <Page title="Config" testid="view-config" actions={<span class="mono text-xs text-muted truncate" data-testid="config-path">{q.data()?.path}</span>}>
      <div class="flex-1 overflow-auto p-5 flex flex-col gap-4">
        <Show when={q.data()?.problems.length}>
          <div class="rounded-lg border border-err/40 bg-err/5 p-3" data-testid="config-problems">
            <div class="flex items-center gap-2 text-err text-xs font-semibold mb-2">
              <IconAlert class="size-4" /> {q.data()!.problems.length} problem{q.data()!.problems.length > 1 ? "s" : ""}
            </div>
            <ul class="flex flex-col gap-1">
              <For each={q.data()!.problems}>
                {(p) => (
                  <li>
                    <button class="text-left text-xs hover:underline cursor-pointer" onClick={() => scrollTo(p.line)} data-testid="config-problem">
                      <span class="mono text-err">
                        {p.line}:{p.column}
                      </span>{" "}
                      {p.message}
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </div>
        </Show>
        <Show when={q.data()} fallback={<div class="text-xs text-muted">{q.error() ?? ""}</div>}>
          <div class="rounded-lg border border-line bg-panel overflow-hidden">
            <pre class="mono text-[12px] leading-5 py-2" data-testid="config-source">
              <For each={lines()}>
                {(text, i) => {
                  const n = i() + 1
                  return (
                    <div id={`L${n}`} class="flex" classList={{ "bg-err/10": problemsAt().has(n) }}>
                      <span class="select-none w-12 shrink-0 text-right pr-4 text-faint">{n}</span>
                      <span class="whitespace-pre-wrap break-all flex-1 pr-4">
                        <Line text={text} />
                        <Show when={problemsAt().get(n)}>
                          {(msgs) => <span class="ml-3 text-err not-italic">← {msgs().join("; ")}</span>}
                        </Show>
                      </span>
                    </div>
                  )
                }}
              </For>
            </pre>
          </div>
        </Show>
      </div>
    </Page>
  )
}
