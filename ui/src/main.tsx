import { Route, Router, type RouteSectionProps } from "@solidjs/router"
import { createSignal, lazy, onMount, Show } from "solid-js"
import { render } from "solid-js/web"
import { EventTip } from "./components/EventMarks.tsx"
import { Keys } from "./components/Keys.tsx"
import { Sidebar } from "./components/Sidebar.tsx"
import { Toasts } from "./components/Toast.tsx"
import { connectLive } from "./lib/live.ts"
import { overlay } from "./lib/nav.ts"
import "./styles.css"
import { ConfigView } from "./views/Config.tsx"
import { LogsView } from "./views/Logs.tsx"
import { MetricsView } from "./views/Metrics.tsx"
import { OverviewView } from "./views/Overview.tsx"
import { TracesView } from "./views/Traces.tsx"

// Kobalte dialogs and uPlot stay off the critical path: loaded after the first paint.
const loadPalette = () => import("./components/CommandPalette.tsx")
const loadShortcuts = () => import("./components/ShortcutsDialog.tsx")
const CommandPalette = lazy(() => loadPalette().then((m) => ({ default: m.CommandPalette })))
const ShortcutsDialog = lazy(() => loadShortcuts().then((m) => ({ default: m.ShortcutsDialog })))

function Shell(props: RouteSectionProps) {
  const [dialogs, setDialogs] = createSignal(false)
  onMount(() => {
    // Not while the first view still waits for its data: an idle moment then would be spent
    // evaluating these chunks (uPlot's alone is 54 KB) before the view can render.
    const idle = window.requestIdleCallback ?? ((f: () => void) => setTimeout(f, 200))
    setTimeout(() => idle(() => void Promise.all([loadPalette(), loadShortcuts(), import("./components/Chart.tsx")]).then(() => setDialogs(true))), 2000)
  })
  return (
    <div class="flex h-full">
      <Sidebar />
      <main class="flex flex-1 min-w-0">{props.children}</main>
      <Show when={dialogs() || overlay()}>
        <CommandPalette />
        <ShortcutsDialog />
      </Show>
      <Keys />
      <Toasts />
      <EventTip />
    </div>
  )
}

connectLive()
render(
  () => (
    <Router root={Shell}>
      <Route path="/" component={OverviewView} />
      <Route path="/traces" component={TracesView} />
      <Route path="/metrics" component={MetricsView} />
      <Route path="/logs" component={LogsView} />
      <Route path="/config" component={ConfigView} />
      <Route path="*" component={OverviewView} />
    </Router>
  ),
  document.getElementById("root")!,
)
