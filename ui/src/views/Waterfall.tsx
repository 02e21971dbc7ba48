/**
 * The span waterfall: depth-first rows, indentation by depth, one colour per service, bars on a
 * shared time axis, errors in red. Rows are virtualized so a 10k-span trace opens as fast as a
 * 20-span one.
 */
import { createMemo, createSignal, For, Show } from "solid-js"
import type { SpanDetail, TraceDetail } from "../../../src/server/api-types.ts"
import { IconChevron } from "../components/icons.tsx"
import { VirtualList } from "../components/VirtualList.tsx"
import { ERROR_COLOR, serviceColor } from "../lib/colors.ts"
import { fmtDuration } from "../lib/format.ts"

const ns = (s: string) => Number(s) / 1e6

export function spanTimes(trace: TraceDetail) {
  let start = Infinity
  let end = -Infinity
  for (const s of trace.spans_detail) {
    start = Math.min(start, ns(s.startTimeUnixNano))
    end = Math.max(end, ns(s.endTimeUnixNano))
  }
  if (!Number.isFinite(start)) start = end = 0
  return { start, end, total: Math.max(end - start, 0.001) }
}

const COLS = "grid grid-cols-[minmax(260px,36%)_1fr] items-center"

export function Waterfall(props: { trace: TraceDetail; selected?: string; onSelect: (spanId: string) => void }) {
  const [collapsed, setCollapsed] = createSignal(new Set<string>())
  const times = createMemo(() => spanTimes(props.trace))
  const rows = createMemo(() => {
    const hidden = collapsed()
    if (!hidden.size) return props.trace.spans_detail
    const out: SpanDetail[] = []
    let skipDepth = Infinity
    for (const s of props.trace.spans_detail) {
      if (s.depth > skipDepth) continue
      skipDepth = hidden.has(s.spanId) ? s.depth : Infinity
      out.push(s)
    }
    return out
  })
  const selIndex = createMemo(() => rows().findIndex((s) => s.spanId === props.selected))
  const toggle = (id: string) =>
    setCollapsed((c) => {
      const n = new Set(c)
      n.has(id) ? n.delete(id) : n.add(id)
      return n
    })
  const ticks = () => [0, 0.25, 0.5, 0.75, 1].map((f) => ({ f, label: fmtDuration(times().total * f) }))

  return (
    <div class="flex flex-col flex-1 min-h-0" data-testid="waterfall">
      <div class={`${COLS} h-8 border-b border-line text-[11px] text-faint shrink-0`}>
        <span class="px-5 uppercase tracking-wide">Span</span>
        <div class="relative h-full mr-24">
          <For each={ticks()}>
            {(t) => (
              <span class="absolute top-0 h-full flex items-center mono text-[10px]" style={{ left: `${t.f * 100}%`, transform: t.f === 1 ? "translateX(-100%)" : t.f ? "translateX(-50%)" : "" }}>
                {t.label}
              </span>
            )}
          </For>
        </div>
      </div>
      <div class="relative flex flex-col flex-1 min-h-0">
      {/* the quarter lines of the time axis, drawn once over the list instead of in every row */}
      <div class={`${COLS} absolute inset-0 pointer-events-none`} aria-hidden="true">
        <span />
        <div class="relative h-full mr-24">
          <For each={[0.25, 0.5, 0.75]}>{(f) => <span class="absolute inset-y-0 w-px bg-line/50" style={{ left: `${f * 100}%` }} />}</For>
        </div>
      </div>
      <VirtualList
        items={rows()}
        rowHeight={30}
        class="flex-1"
        selected={selIndex()}
        onSelect={(i) => rows()[i] && props.onSelect(rows()[i]!.spanId)}
        onActivate={(i) => rows()[i] && props.onSelect(rows()[i]!.spanId)}
        aria-label="Spans"
        data-testid="span-list"
      >
        {(s) => {
          const color = () => (s.isError ? ERROR_COLOR : serviceColor(s.service))
          const left = () => ((ns(s.startTimeUnixNano) - times().start) / times().total) * 100
          const width = () => Math.max(0.25, (s.duration_ms / times().total) * 100)
          return (
            <div
              class={`${COLS} h-full cursor-pointer hover:bg-hover/60 border-b border-line/40`}
              onClick={() => props.onSelect(s.spanId)}
              data-testid="span-row"
              data-span-id={s.spanId}
              data-service={s.service}
              data-error={s.isError ? "true" : undefined}
              data-depth={s.depth}
            >
              <div class="flex items-center min-w-0 pr-3 h-full" style={{ "padding-left": `${12 + s.depth * 16}px` }}>
                <Show when={s.children.length} fallback={<span class="w-4 shrink-0" />}>
                  <button
                    class="grid place-items-center size-4 shrink-0 text-faint hover:text-fg cursor-pointer"
                    onClick={(e) => (e.stopPropagation(), toggle(s.spanId))}
                    aria-label={collapsed().has(s.spanId) ? "Expand" : "Collapse"}
                    aria-expanded={!collapsed().has(s.spanId)}
                  >
                    <IconChevron class={`size-3 transition-transform ${collapsed().has(s.spanId) ? "" : "rotate-90"}`} />
                  </button>
                </Show>
                <span class="w-[3px] h-4 rounded-full shrink-0 mx-1.5" style={{ background: serviceColor(s.service) }} />
                <span class="text-[12px] text-muted shrink-0 mr-1.5">{s.service}</span>
                <span class="truncate text-[13px]" classList={{ "text-err": s.isError }}>
                  {s.name}
                </span>
                <Show when={s.isError}>
                  <span class="ml-1.5 size-1.5 rounded-full bg-err shrink-0" title="error" />
                </Show>
              </div>
              <div class="relative h-full mr-24">
                <div class="absolute top-1/2 -translate-y-1/2 h-3.5 rounded-[3px]" style={{ left: `${left()}%`, width: `${width()}%`, background: color(), opacity: 0.9 }} data-testid="span-bar">
                  <For each={s.events}>
                    {(ev) => (
                      <span
                        class="absolute top-1/2 -translate-y-1/2 size-1.5 rotate-45 bg-white/90"
                        style={{ left: `${Math.min(100, Math.max(0, ((ns(ev.timeUnixNano) - ns(s.startTimeUnixNano)) / Math.max(s.duration_ms, 0.001)) * 100))}%` }}
                        title={ev.name}
                      />
                    )}
                  </For>
                </div>
                <span class="absolute top-1/2 -translate-y-1/2 mono text-[11px] text-muted pl-1.5 whitespace-nowrap" style={{ left: `${Math.min(left() + width(), 100)}%` }}>
                  {fmtDuration(s.duration_ms)}
                </span>
              </div>
            </div>
          )
        }}
      </VirtualList>
      </div>
    </div>
  )
}
