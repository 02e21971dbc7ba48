/** The span slide-over: everything about one span, and jumps to its logs, metrics and neighbours. */
import { A, useNavigate } from "@solidjs/router"
import { For, Show } from "solid-js"
import type { RelatedTelemetry, SpanDetail, TraceDetail } from "../../../src/server/api-types.ts"
import { IconX } from "../components/icons.tsx"
import { KeyValues, Section } from "../components/KeyValues.tsx"
import { ERROR_COLOR, serviceColor } from "../lib/colors.ts"
import { fmtDateTime, fmtDuration, fmtTime, fmtValue, shortId, toMs } from "../lib/format.ts"
import { jump, links, provideJumps, WINDOW_MS } from "../lib/nav.ts"
import { LevelBadge } from "./LogRow.tsx"

export function SpanPanel(props: { span: SpanDetail; trace: TraceDetail; related?: RelatedTelemetry; onClose: () => void }) {
  const navigate = useNavigate()
  const s = () => props.span
  const start = () => toMs(s().startTime)
  const end = () => toMs(s().endTime)
  const label = () => `Span ${s().name}`
  const logsUrl = () => links.logsBetween(s().service, start() - WINDOW_MS, end() + WINDOW_MS)
  const metricsUrl = () => links.metricsAt(s().service, start())
  const tracesUrl = () => links.tracesAround(s().service, start())
  provideJumps(() => ({ t: tracesUrl(), l: logsUrl(), m: metricsUrl(), label: label() }))
  const go = (to: string) => jump(navigate, to, label())
  const spanLogs = () => (props.related?.logs ?? []).filter((l) => l.spanId === s().spanId)
  const resource = () => props.trace.resources[s().resourceIndex]?.attributes ?? {}
  const offset = () => start() - toMs(props.trace.timestamp)

  return (
    <aside class="slidein w-[460px] shrink-0 border-l border-line bg-panel flex flex-col min-h-0" data-testid="span-panel" aria-label="Span detail">
      <div class="px-4 pt-3 pb-3 flex flex-col gap-2">
        <div class="flex items-start gap-2">
          <span class="mt-1 w-[3px] h-4 rounded-full shrink-0" style={{ background: s().isError ? ERROR_COLOR : serviceColor(s().service) }} />
          <div class="flex-1 min-w-0">
            <div class="font-semibold text-[14px] break-words" data-testid="span-name">
              {s().name}
            </div>
            <div class="text-xs text-muted">
              {s().service} · {s().kind} · <span class="mono">{fmtDuration(s().duration_ms)}</span>
            </div>
          </div>
          <button class="btn-ghost" onClick={props.onClose} aria-label="Close span detail" data-testid="span-close">
            <IconX class="size-4" />
          </button>
        </div>
        <Show when={s().isError}>
          <div class="rounded-md border border-err/40 bg-err/10 px-2.5 py-1.5 text-xs text-err" data-testid="span-error">
            {s().status.message || "Span ended with an error"}
          </div>
        </Show>
        <div class="flex flex-wrap gap-1.5">
          <button class="btn" onClick={() => go(logsUrl())} data-testid="span-view-logs">
            View logs <span class="kbd">l</span>
          </button>
          <button class="btn" onClick={() => go(metricsUrl())} data-testid="span-view-metrics">
            View metrics <span class="kbd">m</span>
          </button>
          <button class="btn" onClick={() => go(tracesUrl())} data-testid="span-view-traces">
            Traces around <span class="kbd">t</span>
          </button>
        </div>
      </div>
      <div class="overflow-auto flex-1">
        <Section title="Span">
          <KeyValues
            attrs={[
              ["span id", s().spanId],
              ["parent", s().parentSpanId ?? "— (root)"],
              ["start", `${fmtDateTime(s().startTime)} (+${fmtDuration(offset())})`],
              ["duration", fmtDuration(s().duration_ms)],
              ["status", `${s().status.code}${s().status.message ? `: ${s().status.message}` : ""}`],
              ["scope", `${s().scope.name}${s().scope.version ? ` ${s().scope.version}` : ""}`],
            ]}
          />
        </Section>
        <Section title="Attributes" count={Object.keys(s().attributes).length} testid="span-attributes">
          <KeyValues attrs={s().attributes} />
        </Section>
        <Show when={s().events.length}>
          <Section title="Events" count={s().events.length} testid="span-events">
            <For each={s().events}>
              {(e) => (
                <div class="mb-2">
                  <div class="text-xs flex gap-2">
                    <span class="mono text-muted">+{fmtDuration(toMs(e.timestamp) - start())}</span>
                    <span class="font-medium" classList={{ "text-err": e.name === "exception" }}>
                      {e.name}
                    </span>
                  </div>
                  <div class="pl-3 mt-1">
                    <KeyValues attrs={e.attributes} />
                  </div>
                </div>
              )}
            </For>
          </Section>
        </Show>
        <Show when={s().links.length}>
          <Section title="Links" count={s().links.length} testid="span-links">
            <For each={s().links}>
              {(l) => (
                <A href={links.trace(l.traceId, l.spanId)} class="block mono text-xs text-info hover:underline">
                  {shortId(l.traceId, 16)} / {l.spanId}
                </A>
              )}
            </For>
          </Section>
        </Show>
        <Section title="Logs in this span" count={spanLogs().length} testid="span-logs">
          <For each={spanLogs()} fallback={<div class="text-xs text-faint">none with this span id</div>}>
            {(l) => (
              <div class="flex gap-2 text-xs py-0.5">
                <span class="mono text-muted">{fmtTime(l.timestamp)}</span>
                <LevelBadge level={l.level} />
                <span class="truncate">{fmtValue(l.body)}</span>
              </div>
            )}
          </For>
        </Section>
        <Section title="Resource" count={Object.keys(resource()).length}>
          <KeyValues attrs={resource()} />
        </Section>
      </div>
    </aside>
  )
}
