/** The menu that opens on a chart point: jump to traces or logs around that moment. */
import { For, onCleanup, onMount } from "solid-js"
import { fmtTime } from "../lib/format.ts"

export interface MenuItem {
  label: string
  testid: string
  run: () => void
}

export function PointMenu(props: { x: number; y: number; at: number; service?: string; items: MenuItem[]; onClose: () => void }) {
  let el!: HTMLDivElement
  const onDoc = (e: MouseEvent) => !el.contains(e.target as Node) && props.onClose()
  const onKey = (e: KeyboardEvent) => {
    const items = [...el.querySelectorAll<HTMLElement>("[role=menuitem]")]
    const i = items.indexOf(document.activeElement as HTMLElement)
    if (e.key === "Escape") props.onClose()
    else if (e.key === "ArrowDown") items[(i + 1) % items.length]?.focus()
    else if (e.key === "ArrowUp") items[(i - 1 + items.length) % items.length]?.focus()
    else return
    e.preventDefault()
    e.stopPropagation()
  }
  onMount(() => {
    setTimeout(() => document.addEventListener("mousedown", onDoc))
    el.querySelector<HTMLElement>("[role=menuitem]")?.focus()
  })
  onCleanup(() => document.removeEventListener("mousedown", onDoc))
  return (
    <div
      ref={el}
      role="menu"
      class="fixed z-50 min-w-60 rounded-lg border border-line bg-raised p-1 shadow-2xl shadow-black/40 slidein"
      style={{ left: `${Math.min(props.x, innerWidth - 260)}px`, top: `${Math.min(props.y + 6, innerHeight - 120)}px` }}
      onKeyDown={onKey}
      data-testid="point-menu"
    >
      <div class="px-2 py-1 text-[11px] text-faint">
        <span class="mono">{fmtTime(props.at)}</span>
        {props.service ? ` · ${props.service}` : ""}
      </div>
      <For each={props.items}>
        {(it) => (
          <button role="menuitem" class="w-full text-left flex items-center h-8 px-2 rounded-md text-[13px] hover:bg-hover focus:bg-hover outline-none cursor-pointer" onClick={() => (props.onClose(), it.run())} data-testid={it.testid}>
            {it.label}
          </button>
        )}
      </For>
    </div>
  )
}
