import { A, useLocation } from "@solidjs/router"
import { For, Show } from "solid-js"
import { fmtNumber } from "../lib/format.ts"
import { live } from "../lib/live.ts"
import { setOverlay } from "../lib/nav.ts"
import { theme, toggleTheme } from "../lib/theme.ts"
import { type Icon, IconConfig, IconKeyboard, IconLogs, IconMetrics, IconMoon, IconOverview, IconSearch, IconSun, IconTraces } from "./icons.tsx"

export const VIEWS: { href: string; label: string; icon: Icon; key: string }[] = [
  { href: "/", label: "Overview", icon: IconOverview, key: "o" },
  { href: "/traces", label: "Traces", icon: IconTraces, key: "t" },
  { href: "/metrics", label: "Metrics", icon: IconMetrics, key: "m" },
  { href: "/logs", label: "Logs", icon: IconLogs, key: "l" },
  { href: "/config", label: "Config", icon: IconConfig, key: "c" },
]

export function Sidebar() {
  const loc = useLocation()
  const active = (href: string) => (href === "/" ? loc.pathname === "/" : loc.pathname.startsWith(href))
  const counts = () => live().status?.collector
  const count = (href: string) => {
    const c = counts()
    if (!c) return undefined
    if (href === "/traces") return c.traces.traceCount
    if (href === "/logs") return c.logs.stored
    if (href === "/metrics") return c.metrics.seriesCount
    return undefined
  }
  return (
    <nav class="flex flex-col w-52 shrink-0 border-r border-line bg-panel" aria-label="Main" data-testid="sidebar">
      <div class="flex items-center gap-2 h-12 px-4 border-b border-line">
        <div class="grid place-items-center size-6 rounded-md bg-accent text-accent-fg font-bold text-[13px]">d</div>
        <div class="min-w-0">
          <div class="font-semibold leading-tight tracking-tight">devrig</div>
          <div class="text-[11px] text-muted truncate leading-tight" data-testid="project-name">
            {live().status?.project.name ?? "…"}
          </div>
        </div>
      </div>
      <button class="mx-3 mt-3 mb-1 flex items-center gap-2 h-7 px-2 rounded-md border border-line bg-bg text-faint text-xs hover:text-muted cursor-pointer" onClick={() => setOverlay("palette")} data-testid="open-palette">
        <IconSearch class="size-3.5" />
        <span class="flex-1 text-left">Search…</span>
        <span class="kbd">⌘K</span>
      </button>
      <ul class="flex flex-col gap-0.5 p-2">
        <For each={VIEWS}>
          {(v) => (
            <li>
              <A
                href={v.href}
                class="flex items-center gap-2.5 h-8 px-2.5 rounded-md text-[13px] transition-colors"
                classList={{ "bg-hover text-fg": active(v.href), "text-muted hover:text-fg hover:bg-hover/60": !active(v.href) }}
                aria-current={active(v.href) ? "page" : undefined}
                data-testid={`nav-${v.label.toLowerCase()}`}
              >
                <v.icon class="size-4" />
                <span class="flex-1">{v.label}</span>
                <Show when={count(v.href)}>{(n) => <span class="mono text-[11px] text-faint">{fmtNumber(n())}</span>}</Show>
              </A>
            </li>
          )}
        </For>
      </ul>
      <div class="mt-auto p-3 flex flex-col gap-2 border-t border-line">
        <div class="flex items-center gap-2 text-[11px] text-muted" data-testid="connection" data-state={live().connection}>
          <span class="size-1.5 rounded-full" classList={{ "bg-ok": live().connection === "open", "bg-warn animate-pulse": live().connection !== "open" }} />
          {live().connection === "open" ? "Live" : live().connection === "connecting" ? "Connecting…" : "Reconnecting…"}
        </div>
        <div class="flex items-center gap-1">
          <button class="btn-ghost" onClick={toggleTheme} data-testid="theme-toggle" aria-label={`Switch to ${theme() === "dark" ? "light" : "dark"} theme`}>
            {theme() === "dark" ? <IconSun class="size-3.5" /> : <IconMoon class="size-3.5" />}
            {theme() === "dark" ? "Light" : "Dark"}
          </button>
          <button class="btn-ghost ml-auto" onClick={() => setOverlay("shortcuts")} aria-label="Keyboard shortcuts" data-testid="open-shortcuts">
            <IconKeyboard class="size-3.5" />?
          </button>
        </div>
      </div>
    </nav>
  )
}
