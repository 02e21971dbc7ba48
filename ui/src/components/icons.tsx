/** Inline 16px stroke icons (no icon font, no extra request). */
import type { JSX } from "solid-js"

const I = (d: string) => (p: { class?: string }) => (
  <svg class={p.class ?? "size-4"} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
    <path d={d} />
  </svg>
)

export const IconOverview = I("M4 4h7v7H4zM13 4h7v4h-7zM13 10h7v10h-7zM4 13h7v7H4z")
export const IconTraces = I("M4 6h10M8 12h10M6 18h8M4 4v4M8 10v4M6 16v4")
export const IconMetrics = I("M4 19h16M6 16l4-6 4 3 5-8")
export const IconLogs = I("M5 5h14M5 10h14M5 15h10M5 20h6")
export const IconConfig = I("M8 4H6a2 2 0 00-2 2v4l-2 2 2 2v4a2 2 0 002 2h2M16 4h2a2 2 0 012 2v4l2 2-2 2v4a2 2 0 01-2 2h-2")
export const IconSun = I("M12 4V2M12 22v-2M4 12H2M22 12h-2M5.6 5.6 4.2 4.2M19.8 19.8l-1.4-1.4M5.6 18.4l-1.4 1.4M19.8 4.2l-1.4 1.4M12 8a4 4 0 100 8 4 4 0 000-8z")
export const IconMoon = I("M20 14.5A8 8 0 019.5 4a8 8 0 1010.5 10.5z")
export const IconSearch = I("M11 18a7 7 0 100-14 7 7 0 000 14zM20 20l-4-4")
export const IconPlay = I("M7 5l12 7-12 7z")
export const IconStop = I("M7 7h10v10H7z")
export const IconRestart = I("M4 12a8 8 0 0114-5.3L20 9M20 4v5h-5M20 12a8 8 0 01-14 5.3L4 15M4 20v-5h5")
export const IconX = I("M6 6l12 12M18 6L6 18")
export const IconChevron = I("M9 6l6 6-6 6")
export const IconExternal = I("M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 01-1 1H5a1 1 0 01-1-1V7a1 1 0 011-1h5")
export const IconKeyboard = I("M3 7h18v10H3zM7 11h.01M11 11h.01M15 11h.01M8 14h8")
export const IconAlert = I("M12 9v4M12 17h.01M10.3 3.9 1.8 18a2 2 0 001.7 3h17a2 2 0 001.7-3L13.7 3.9a2 2 0 00-3.4 0z")

export type Icon = (p: { class?: string }) => JSX.Element
