import { createSignal } from "solid-js"

export type Theme = "dark" | "light"
const KEY = "devrig.theme"

const read = (): Theme => {
  try {
    return localStorage.getItem(KEY) === "light" ? "light" : "dark"
  } catch {
    return "dark"
  }
}

const [theme, setThemeSignal] = createSignal<Theme>(read())
export { theme }

export function setTheme(t: Theme) {
  document.documentElement.className = t
  try {
    localStorage.setItem(KEY, t)
  } catch {}
  setThemeSignal(t)
}

export const toggleTheme = () => setTheme(theme() === "dark" ? "light" : "dark")
