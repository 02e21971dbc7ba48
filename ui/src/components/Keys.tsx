/** Global keyboard shortcuts. Keys typed into inputs are left alone (except Escape and Cmd/Ctrl+K). */
import { useNavigate } from "@solidjs/router"
import { onCleanup, onMount } from "solid-js"
import { back, jump, jumps, overlay, runEscape, setCrumbs, setOverlay } from "../lib/nav.ts"
import { VIEWS } from "./Sidebar.tsx"

const typing = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)

export function Keys() {
  const navigate = useNavigate()
  let gPressed = 0

  const onKey = (e: KeyboardEvent) => {
    if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "k") {
      e.preventDefault()
      setOverlay(overlay() === "palette" ? null : "palette")
      return
    }
    if (overlay() || e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return
    if (e.key === "Escape") {
      if (typing(e.target)) return (e.target as HTMLElement).blur()
      if (runEscape() || back(navigate)) e.preventDefault()
      return
    }
    if (typing(e.target)) return
    if (Date.now() - gPressed < 1000) {
      gPressed = 0
      const v = VIEWS.find((x) => x.key === e.key)
      if (v) {
        setCrumbs([])
        navigate(v.href)
      }
      return
    }
    switch (e.key) {
      case "?":
        setOverlay("shortcuts")
        break
      case "/":
        document.querySelector<HTMLInputElement>("[data-search]")?.focus()
        break
      case "g":
        gPressed = Date.now()
        return
      case "t":
      case "l":
      case "m": {
        const j = jumps()
        const to = j[e.key]
        if (!to) return
        jump(navigate, to, j.label ?? document.title)
        break
      }
      default:
        return
    }
    e.preventDefault()
  }

  onMount(() => document.addEventListener("keydown", onKey))
  onCleanup(() => document.removeEventListener("keydown", onKey))
  return null
}
