import { Route, Router, type RouteSectionProps } from "@solidjs/router"
import { render } from "solid-js/web"
import { CommandPalette } from "./components/CommandPalette.tsx"
import { Keys } from "./components/Keys.tsx"
import { ShortcutsDialog } from "./components/ShortcutsDialog.tsx"
import { Sidebar } from "./components/Sidebar.tsx"
import { Toasts } from "./components/Toast.tsx"
import { connectLive } from "./lib/live.ts"
import "./styles.css"
import { ConfigView } from "./views/Config.tsx"
import { LogsView } from "./views/Logs.tsx"
import { MetricsView } from "./views/Metrics.tsx"
import { OverviewView } from "./views/Overview.tsx"
import { TracesView } from "./views/Traces.tsx"

function Shell(props: RouteSectionProps) {
  return (
    <div class="flex h-full">
      <Sidebar />
      <main class="flex flex-1 min-w-0">{props.children}</main>
      <CommandPalette />
      <ShortcutsDialog />
      <Keys />
      <Toasts />
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
