import { Dialog } from "@kobalte/core/dialog"
import { For } from "solid-js"
import { overlay, setOverlay } from "../lib/nav.ts"

export const SHORTCUTS: [string[], string][] = [
  [["⌘", "K"], "Command palette (Ctrl+K elsewhere)"],
  [["t"], "Related traces of the detail on screen"],
  [["l"], "Related logs"],
  [["m"], "Related metrics"],
  [["Esc"], "Close the detail, then go back along the breadcrumbs"],
  [["↑", "↓"], "Move through table rows (j / k work too)"],
  [["Enter"], "Open the selected row"],
  [["/"], "Focus the search box"],
  [["g", "o"], "Go to Overview (g t, g m, g l, g c for the others)"],
  [["?"], "This help"],
]

export function ShortcutsDialog() {
  return (
    <Dialog open={overlay() === "shortcuts"} onOpenChange={(o) => setOverlay(o ? "shortcuts" : null)}>
      <Dialog.Portal>
        <Dialog.Overlay class="fixed inset-0 z-40 bg-black/50 backdrop-blur-[2px]" />
        <div class="fixed inset-0 z-50 flex items-start justify-center pt-[14vh]">
          <Dialog.Content class="w-[480px] max-w-[92vw] rounded-xl border border-line bg-panel shadow-2xl shadow-black/40 p-5" data-testid="shortcuts">
            <Dialog.Title class="text-sm font-semibold mb-3">Keyboard shortcuts</Dialog.Title>
            <dl class="grid grid-cols-[auto_1fr] gap-x-5 gap-y-2 text-[13px]">
              <For each={SHORTCUTS}>
                {([keys, what]) => (
                  <>
                    <dt class="flex gap-1">
                      <For each={keys}>{(k) => <kbd class="kbd">{k}</kbd>}</For>
                    </dt>
                    <dd class="text-muted">{what}</dd>
                  </>
                )}
              </For>
            </dl>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog>
  )
}
