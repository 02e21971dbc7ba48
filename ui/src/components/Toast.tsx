import { createSignal, For } from "solid-js"

interface T {
  id: number
  text: string
  tone: "err" | "ok"
}
const [toasts, setToasts] = createSignal<T[]>([])
let n = 0

export function toast(text: string, tone: T["tone"] = "err") {
  const id = ++n
  setToasts((t) => [...t, { id, text, tone }])
  setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 5000)
}

export function Toasts() {
  return (
    <div class="fixed bottom-4 right-4 z-50 flex flex-col gap-2" role="status" aria-live="polite">
      <For each={toasts()}>
        {(t) => (
          <div class="slidein rounded-lg border border-line bg-raised px-3 py-2 text-xs shadow-xl shadow-black/30 max-w-96" data-testid="toast">
            <span class={t.tone === "err" ? "text-err" : "text-ok"}>●</span> {t.text}
          </div>
        )}
      </For>
    </div>
  )
}
