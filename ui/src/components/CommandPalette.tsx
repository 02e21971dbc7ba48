/** Cmd/Ctrl+K: jump to views, services (their logs/traces/metrics) and recent traces. */
import { Dialog } from "@kobalte/core/dialog"
import { useNavigate } from "@solidjs/router"
import { createMemo, createSignal, For, Show } from "solid-js"
import { serviceColor } from "../lib/colors.ts"
import { fmtDuration, shortId } from "../lib/format.ts"
import { live } from "../lib/live.ts"
import { links, overlay, setCrumbs, setOverlay } from "../lib/nav.ts"
import { toggleTheme } from "../lib/theme.ts"
import { IconSearch } from "./icons.tsx"
import { VIEWS } from "./Sidebar.tsx"

interface Item {
  id: string
  group: string
  label: string
  hint?: string
  color?: string
  run: () => void
}

export function CommandPalette() {
  const navigate = useNavigate()
  const [q, setQ] = createSignal("")
  const [sel, setSel] = createSignal(0)
  const go = (href: string) => {
    setCrumbs([])
    navigate(href)
  }

  const items = createMemo<Item[]>(() => {
    const out: Item[] = VIEWS.map((v) => ({ id: `view:${v.href}`, group: "Views", label: v.label, hint: v.href, run: () => go(v.href) }))
    const services = new Set<string>()
    for (const c of live().status?.components ?? []) services.add(c.name)
    for (const m of live().metrics) m.services.forEach((s) => services.add(s))
    for (const t of live().traces.slice(0, 200)) services.add(t.service)
    for (const s of [...services].sort()) {
      const color = serviceColor(s)
      out.push({ id: `svc:logs:${s}`, group: "Services", label: `${s} — logs`, color, run: () => go(`/logs?service=${encodeURIComponent(s)}`) })
      out.push({ id: `svc:traces:${s}`, group: "Services", label: `${s} — traces`, color, run: () => go(`/traces?service=${encodeURIComponent(s)}`) })
      out.push({ id: `svc:metrics:${s}`, group: "Services", label: `${s} — metrics`, color, run: () => go(`/metrics?service=${encodeURIComponent(s)}`) })
    }
    for (const t of live().traces.slice(0, 15)) {
      out.push({
        id: `trace:${t.traceId}`,
        group: "Recent traces",
        label: `${t.service}: ${t.operation}`,
        hint: `${shortId(t.traceId)} · ${fmtDuration(t.duration_ms)}`,
        color: serviceColor(t.service),
        run: () => go(links.trace(t.traceId)),
      })
    }
    out.push({ id: "theme", group: "Actions", label: "Toggle light/dark theme", run: toggleTheme })
    out.push({ id: "keys", group: "Actions", label: "Keyboard shortcuts", hint: "?", run: () => setTimeout(() => setOverlay("shortcuts")) })
    return out
  })

  const filtered = createMemo(() => {
    const words = q().toLowerCase().split(/\s+/).filter(Boolean)
    if (!words.length) return items()
    return items().filter((i) => {
      const hay = `${i.group} ${i.label} ${i.hint ?? ""}`.toLowerCase()
      return words.every((w) => hay.includes(w))
    })
  })

  const run = (i: Item | undefined) => {
    if (!i) return
    setOverlay(null)
    i.run()
  }

  const onKeyDown = (e: KeyboardEvent) => {
    const n = filtered().length
    if (e.key === "ArrowDown") setSel((s) => (s + 1) % Math.max(1, n))
    else if (e.key === "ArrowUp") setSel((s) => (s - 1 + n) % Math.max(1, n))
    else if (e.key === "Enter") run(filtered()[sel()])
    else return
    e.preventDefault()
    document.querySelector(`[data-palette-index="${sel()}"]`)?.scrollIntoView({ block: "nearest" })
  }

  return (
    <Dialog open={overlay() === "palette"} onOpenChange={(o) => (setOverlay(o ? "palette" : null), setQ(""), setSel(0))}>
      <Dialog.Portal>
        <Dialog.Overlay class="fixed inset-0 z-40 bg-black/50 backdrop-blur-[2px]" />
        <div class="fixed inset-0 z-50 flex items-start justify-center pt-[12vh]">
          <Dialog.Content class="w-[560px] max-w-[92vw] rounded-xl border border-line bg-panel shadow-2xl shadow-black/40 overflow-hidden" data-testid="palette">
            <Dialog.Title class="sr-only">Command palette</Dialog.Title>
            <div class="flex items-center gap-2 px-3 border-b border-line">
              <IconSearch class="size-4 text-faint" />
              <input
                class="flex-1 h-11 bg-transparent outline-none focus-visible:outline-none text-sm placeholder:text-faint"
                placeholder="Jump to a view, service or trace…"
                value={q()}
                onInput={(e) => (setQ(e.currentTarget.value), setSel(0))}
                onKeyDown={onKeyDown}
                data-testid="palette-input"
                role="combobox"
                aria-expanded="true"
                aria-controls="palette-list"
              />
              <span class="kbd">esc</span>
            </div>
            <ul id="palette-list" role="listbox" class="max-h-[50vh] overflow-auto p-1.5">
              <Show when={filtered().length} fallback={<li class="px-3 py-6 text-center text-muted text-xs">No matches</li>}>
                <For each={filtered()}>
                  {(item, i) => (
                    <>
                      <Show when={i() === 0 || filtered()[i() - 1]!.group !== item.group}>
                        <li class="px-2 pt-2 pb-1 text-[10px] uppercase tracking-wider text-faint" role="presentation">
                          {item.group}
                        </li>
                      </Show>
                      <li
                        role="option"
                        aria-selected={sel() === i()}
                        data-palette-index={i()}
                        data-testid="palette-item"
                        class="flex items-center gap-2 h-8 px-2 rounded-md cursor-pointer text-[13px]"
                        classList={{ "bg-hover": sel() === i() }}
                        onMouseMove={() => setSel(i())}
                        onClick={() => run(item)}
                      >
                        <span class="size-2 rounded-full shrink-0" style={{ background: item.color ?? "var(--faint)" }} />
                        <span class="flex-1 truncate">{item.label}</span>
                        <Show when={item.hint}>
                          <span class="mono text-[11px] text-faint">{item.hint}</span>
                        </Show>
                      </li>
                    </>
                  )}
                </For>
              </Show>
            </ul>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog>
  )
}
