/**
 * A fixed-row-height virtualizer: only the rows in view (plus overscan) exist in the DOM, so
 * 100k log records scroll as smoothly as 100. When rows are prepended while the user is scrolled
 * down (live data arriving newest-first), the scroll position is shifted so the rows under the
 * user's eyes stay put.
 */
import { createEffect, createMemo, createSignal, For, type JSX, on, onCleanup, onMount } from "solid-js"

export interface VirtualListProps<T> {
  items: T[]
  rowHeight: number
  overscan?: number
  class?: string
  selected?: number
  onSelect?: (index: number) => void
  onActivate?: (index: number) => void
  children: (item: T, index: () => number) => JSX.Element
  "data-testid"?: string
  "aria-label"?: string
  empty?: JSX.Element
}

export function VirtualList<T>(props: VirtualListProps<T>) {
  let el!: HTMLDivElement
  const [top, setTop] = createSignal(0)
  const [height, setHeight] = createSignal(800)
  const h = () => props.rowHeight
  const overscan = () => props.overscan ?? 8

  onMount(() => {
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 800))
    ro.observe(el)
    onCleanup(() => ro.disconnect())
  })

  // Keep the first visible row in place when new rows arrive above it.
  createEffect(
    on(
      () => props.items,
      (items, prev) => {
        if (!prev || el.scrollTop <= 0) return
        const first = prev[Math.floor(el.scrollTop / h())]
        if (first === undefined) return
        const was = Math.floor(el.scrollTop / h())
        const limit = Math.min(items.length, was + 5000)
        for (let i = was; i < limit; i++) {
          if (items[i] === first) {
            if (i !== was) el.scrollTop += (i - was) * h()
            break
          }
        }
      },
      { defer: true },
    ),
  )

  const start = createMemo(() => Math.max(0, Math.floor(top() / h()) - overscan()))
  const end = createMemo(() => Math.min(props.items.length, Math.ceil((top() + height()) / h()) + overscan()))
  const visible = createMemo(() => props.items.slice(start(), end()))

  const reveal = (i: number) => {
    const y = i * h()
    if (y < el.scrollTop) el.scrollTop = y
    else if (y + h() > el.scrollTop + el.clientHeight) el.scrollTop = y + h() - el.clientHeight
  }

  const onKeyDown = (e: KeyboardEvent) => {
    const n = props.items.length
    if (!n || !props.onSelect) return
    const cur = props.selected ?? -1
    const page = Math.max(1, Math.floor(el.clientHeight / h()) - 1)
    let next = cur
    if (e.key === "ArrowDown" || e.key === "j") next = Math.min(n - 1, cur + 1)
    else if (e.key === "ArrowUp" || e.key === "k") next = Math.max(0, cur - 1)
    else if (e.key === "PageDown") next = Math.min(n - 1, cur + page)
    else if (e.key === "PageUp") next = Math.max(0, cur - page)
    else if (e.key === "Home") next = 0
    else if (e.key === "End") next = n - 1
    else if (e.key === "Enter" && cur >= 0) {
      e.preventDefault()
      props.onActivate?.(cur)
      return
    } else return
    e.preventDefault()
    props.onSelect(next)
    reveal(next)
  }

  return (
    <div
      ref={el}
      class={`relative overflow-auto outline-none focus-visible:outline-none ${props.class ?? ""}`}
      tabindex={0}
      role="grid"
      aria-rowcount={props.items.length}
      aria-label={props["aria-label"]}
      data-testid={props["data-testid"]}
      onScroll={() => setTop(el.scrollTop)}
      onKeyDown={onKeyDown}
    >
      {props.items.length === 0 && props.empty}
      <div style={{ height: `${props.items.length * h()}px`, position: "relative" }}>
        <For each={visible()}>
          {(item, i) => {
            const index = () => start() + i()
            return (
              <div
                role="row"
                aria-rowindex={index() + 1}
                aria-selected={props.selected === index()}
                class="absolute left-0 right-0"
                classList={{ "row-sel": props.selected === index() }}
                style={{ height: `${h()}px`, transform: `translateY(${index() * h()}px)` }}
              >
                {props.children(item, index)}
              </div>
            )
          }}
        </For>
      </div>
    </div>
  )
}
