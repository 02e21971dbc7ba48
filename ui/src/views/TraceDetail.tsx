import { A, useNavigate } from "@solidjs/router"
import { createMemo, For, Show } from "solid-js"
import type { RelatedTelemetry, TraceDetail } from "../../../src/server/api-types.ts"
import { Page } from "../components/Page.tsx"
import { urls } from "../lib/api.ts"
import { serviceColor } from "../lib/colors.ts"
import { fmtDateTime, fmtDuration, shortId, toMs } from "../lib/format.ts"
import { live, useQuery } from "../lib/live.ts"
import { jump, links, onEscape, provideJumps } from "../lib/nav.ts"
import { useParams } from "../lib/params.ts"
import { SpanPanel } from "./SpanPanel.tsx"
import { Waterfall } from "./Waterfall.tsx"

export function TraceDetailView(props: { traceId: string }) {
  const p = useParams<"traceId" | "spanId">()
  const navigate = useNavigate()
  // Refetch while spans keep arriving for this trace.
  const liveSpans = () => live().traces.find((t) => t.traceId === props.traceId)?.spans
  const q = useQuery<TraceDetail>(() => urls.trace(props.traceId), liveSpans)
  const rel = useQuery<RelatedTelemetry>(() => urls.related(props.traceId), liveSpans)
  const trace = () => q.data()
  const span = createMemo(() => trace()?.spans_detail.find((s) => s.spanId === p.get("spanId")))
  const start = () => (trace() ? toMs(trace()!.timestamp) : Date.now())
  const label = () => `Trace ${shortId(props.traceId)}`

  provideJumps(() => ({
    t: trace() ? links.tracesAround(trace()!.service, start()) : undefined,
    l: links.logsForTrace(props.traceId),
    m: trace() ? links.metricsAt(trace()!.service, start()) : undefined,
    label: label(),
  }))
  onEscape(() => {
    if (p.get("spanId")) return p.set({ spanId: undefined })
    return false
  })

  const go = (to: string) => jump(navigate, to, label())

  return (
    <Page
      title="Traces"
      here={label()}
      testid="view-trace"
      actions={
        <>
          <button class="btn" onClick={() => go(links.logsForTrace(props.traceId))} data-testid="trace-view-logs">
            Logs <span class="mono text-faint">{rel.data() ? rel.data()!.logs.length : ""}</span> <span class="kbd">l</span>
          </button>
          <button class="btn" disabled={!trace()} onClick={() => go(links.metricsAt(trace()!.service, start()))} data-testid="trace-view-metrics">
            Metrics <span class="kbd">m</span>
          </button>
          <button class="btn" disabled={!trace()} onClick={() => go(links.tracesAround(trace()!.service, start()))} data-testid="trace-view-around">
            Traces around <span class="kbd">t</span>
          </button>
        </>
      }
    >
      <Show
        when={trace()}
        fallback={
          <div class="p-10 text-center text-muted text-sm" data-testid="trace-missing">
            {q.error() ? `Trace ${props.traceId} not found (it may have been evicted).` : ""}
          </div>
        }
      >
        {(t) => (
          <div class="flex flex-1 min-h-0">
            <div class="flex flex-col flex-1 min-w-0">
              <div class="px-5 py-3 border-b border-line flex flex-col gap-2 shrink-0">
                <div class="flex items-center gap-3 min-w-0">
                  <A href="/traces" class="btn-ghost -ml-1.5" data-testid="back-to-traces">
                    ← All traces
                  </A>
                  <span class="size-2.5 rounded-sm" style={{ background: serviceColor(t().service) }} />
                  <span class="text-[15px] font-semibold truncate" data-testid="trace-title">
                    {t().service}: {t().operation}
                  </span>
                  <Show when={t().status === "error"}>
                    <span class="chip border-err/40 text-err">error</span>
                  </Show>
                </div>
                <div class="flex flex-wrap items-center gap-x-5 gap-y-1 text-xs text-muted">
                  <span>
                    Trace <span class="mono text-fg select-all" data-testid="trace-id">{t().traceId}</span>
                  </span>
                  <span>
                    Start <span class="mono text-fg">{fmtDateTime(t().timestamp)}</span>
                  </span>
                  <span>
                    Duration <span class="mono text-fg">{fmtDuration(t().duration_ms)}</span>
                  </span>
                  <span>
                    Spans <span class="mono text-fg" data-testid="trace-span-count">{t().spans_detail.length}</span>
                  </span>
                  <Show when={t().errorCount}>
                    <span class="text-err">
                      Errors <span class="mono">{t().errorCount}</span>
                    </span>
                  </Show>
                  <span class="flex items-center gap-3">
                    <For each={t().services}>
                      {(s) => (
                        <span class="flex items-center gap-1.5">
                          <span class="size-2 rounded-sm" style={{ background: serviceColor(s) }} />
                          {s}
                        </span>
                      )}
                    </For>
                  </span>
                </div>
              </div>
              <Waterfall trace={t()} selected={p.get("spanId")} onSelect={(id) => p.set({ spanId: id })} />
            </div>
            <Show when={span()} keyed>
              {(s) => <SpanPanel span={s} trace={t()} related={rel.data()} onClose={() => p.set({ spanId: undefined })} />}
            </Show>
          </div>
        )}
      </Show>
    </Page>
  )
}
