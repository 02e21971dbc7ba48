import { Show } from "solid-js"
import type { LogRecord } from "../../../src/server/api-types.ts"
import { IconX } from "../components/icons.tsx"
import { KeyValues, Section } from "../components/KeyValues.tsx"
import { fmtDateTime, toMs } from "../lib/format.ts"
import { links, provideJumps } from "../lib/nav.ts"
import { LevelBadge, logBody } from "./LogRow.tsx"

export function LogDetail(props: { log: LogRecord; onClose: () => void; go: (to: string) => void }) {
  const l = () => props.log
  const at = () => toMs(l().timestamp)
  const traces = () => (l().traceId ? links.trace(l().traceId!, l().spanId) : links.tracesAround(l().service, at()))
  const logs = () => links.logsAround(l().service, at())
  const metrics = () => links.metricsAt(l().service, at())
  provideJumps(() => ({ t: traces(), l: logs(), m: metrics(), label: `Log ${fmtDateTime(l().timestamp).slice(11)}` }))
  return (
    <aside class="slidein w-[440px] shrink-0 border-l border-line bg-panel flex flex-col min-h-0" data-testid="log-panel" aria-label="Log record">
      <div class="px-4 py-3 flex flex-col gap-2">
        <div class="flex items-center gap-2">
          <LevelBadge level={l().level} />
          <span class="text-xs text-muted flex-1">
            {l().service} · <span class="mono">{fmtDateTime(l().timestamp)}</span>
          </span>
          <button class="btn-ghost" onClick={props.onClose} aria-label="Close log detail">
            <IconX class="size-4" />
          </button>
        </div>
        <pre class="mono whitespace-pre-wrap break-words rounded-md bg-bg border border-line p-2.5 max-h-60 overflow-auto">{logBody(l())}</pre>
        <div class="flex flex-wrap gap-1.5">
          <button class="btn" onClick={() => props.go(traces())} data-testid="logpanel-view-traces">
            {l().traceId ? "View trace" : "Traces around"} <span class="kbd">t</span>
          </button>
          <button class="btn" onClick={() => props.go(metrics())} data-testid="logpanel-view-metrics">
            Metrics <span class="kbd">m</span>
          </button>
          <button class="btn" onClick={() => props.go(logs())} data-testid="logpanel-view-logs">
            Logs around <span class="kbd">l</span>
          </button>
        </div>
      </div>
      <div class="overflow-auto flex-1">
        <Section title="Record">
          <KeyValues
            attrs={[
              ["severity", `${l().severityText || "—"} (${l().severityNumber})`],
              ["trace id", l().traceId ?? "—"],
              ["span id", l().spanId ?? "—"],
              ["observed", fmtDateTime(l().observedTimestamp)],
              ["scope", l().scope.name || "—"],
            ]}
          />
        </Section>
        <Section title="Attributes" count={Object.keys(l().attributes).length}>
          <KeyValues attrs={l().attributes} />
        </Section>
        <Show when={Object.keys(l().resource).length}>
          <Section title="Resource" count={Object.keys(l().resource).length}>
            <KeyValues attrs={l().resource} />
          </Section>
        </Show>
      </div>
    </aside>
  )
}
