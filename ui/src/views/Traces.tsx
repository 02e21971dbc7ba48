import { useNavigate } from "@solidjs/router"
import { createMemo, createSignal, Index, Show } from "solid-js"
import type { TraceSummary } from "../../../src/server/api-types.ts"
import { EventStrip } from "../components/EventMarks.tsx"
import { Chip, FilterBar, Search, Select, windowLabel } from "../components/Filters.tsx"
import { Page } from "../components/Page.tsx"
import { VirtualList } from "../components/VirtualList.tsx"
import { urls } from "../lib/api.ts"
import { ERROR_COLOR, serviceColor } from "../lib/colors.ts"
import { eventsFor } from "../lib/events.ts"
import { fmtDuration, fmtTime, iso, shortId, toMs } from "../lib/format.ts"
import { live, now, useQuery } from "../lib/live.ts"
import { links } from "../lib/nav.ts"
import { useParams } from "../lib/params.ts"
import { TraceDetailView } from "./TraceDetail.tsx"

type K = "traceId" | "spanId" | "service" | "status" | "minDuration" | "search" | "from" | "to"

export function TracesView() {
  const p = useParams<K>()
  return (
    <Show when={p.get("traceId")} keyed fallback={<TraceList />}>
      {(id) => <TraceDetailView traceId={id} />}
    </Show>
  )
}

export function matchesTrace(t: TraceSummary, f: { service?: string; status?: string; minDuration?: number; search?: string; from?: string; to?: string }) {
  if (f.service && t.service !== f.service && !t.services.includes(f.service)) return false
  if (f.status && t.status !== f.status) return false
  if (f.minDuration && t.duration_ms < f.minDuration) return false
  if (f.search && !`${t.operation}\n${t.route ?? ""}`.toLowerCase().includes(f.search.toLowerCase())) return false
  // a time window selects the traces that overlap it (as the API does)
  if (f.to && t.timestamp > f.to) return false
  if (f.from && toMs(t.timestamp) + t.duration_ms < toMs(f.from)) return false
  return true
}

const TIMELINE_MS = 15 * 60_000
const BUCKETS = 90
const AROUND_MS = 30_000

/**
 * Traces over time (a bar per bucket, errors in red) with devrig's lifecycle events on top: a
 * crash or a restart lines up with the traces around it. Click a marker for the traces ±30 s.
 */
function TraceTimeline(props: { rows: TraceSummary[]; service?: string; from?: string; to?: string; onPick: (t: number) => void }) {
  const to = () => (props.to ? toMs(props.to) : now())
  const from = () => (props.from ? toMs(props.from) : to() - TIMELINE_MS)
  const buckets = createMemo(() => {
    const [a, b] = [from(), to()]
    const ok = new Array<number>(BUCKETS).fill(0)
    const bad = new Array<number>(BUCKETS).fill(0)
    for (const t of props.rows) {
      const x = toMs(t.timestamp)
      if (x < a || x > b) continue
      const i = Math.min(BUCKETS - 1, Math.floor(((x - a) / (b - a)) * BUCKETS))
      if (t.status === "error") bad[i]!++
      else ok[i]!++
    }
    const max = Math.max(3, ...ok.map((n, i) => n + bad[i]!)) // a lone trace is not a full-height bar
    return ok.map((n, i) => ({ ok: n / max, bad: bad[i]! / max }))
  })
  const events = () => eventsFor(props.service ? [props.service] : undefined, from(), to())
  return (
    <div class="px-5 pt-2 pb-1 border-b border-line shrink-0" data-testid="trace-timeline">
      <EventStrip
        events={events()}
        from={from()}
        to={to()}
        class="h-10"
        onPick={(e) => props.onPick(e.t)}
        hint="Click for the traces ±30 s around it"
        under={
          <div class="absolute inset-0 flex items-end gap-px border-b border-line">
            <Index each={buckets()}>
              {(b) => (
                <div class="flex-1 flex flex-col justify-end h-full">
                  <div class="bg-err/70 rounded-t-[1px]" style={{ height: `${b().bad * 100}%` }} />
                  <div class="bg-accent/35" classList={{ "rounded-t-[1px]": !b().bad }} style={{ height: `${b().ok * 100}%` }} />
                </div>
              )}
            </Index>
          </div>
        }
      />
      <div class="flex justify-between mono text-[10px] text-faint mt-0.5">
        <span>{fmtTime(from()).slice(0, 8)}</span>
        <span class="flex items-center gap-3">
          <span class="flex items-center gap-1">
            <span class="size-2 rounded-sm bg-accent/50" /> traces
          </span>
          <span class="flex items-center gap-1">
            <span class="size-2 rounded-sm bg-err/70" /> errors
          </span>
          <span class="flex items-center gap-1">
            <span class="w-[2px] h-2.5 bg-warn" /> devrig events{props.service ? ` (${props.service})` : ""}
          </span>
        </span>
        <span>{props.to ? fmtTime(to()).slice(0, 8) : "now"}</span>
      </div>
    </div>
  )
}

const COLS = "grid grid-cols-[110px_minmax(120px,1fr)_minmax(180px,2.2fr)_70px_170px_90px] items-center gap-3 px-5"

function TraceList() {
  const p = useParams<K>()
  const navigate = useNavigate()
  const filters = () => ({
    service: p.get("service"),
    status: p.get("status"),
    minDuration: p.get("minDuration") ? Number(p.get("minDuration")) : undefined,
    search: p.get("search"),
    from: p.get("from"),
    to: p.get("to"),
  })
  const q = useQuery<TraceSummary[]>(() => {
    const f = filters()
    return urls.traces({ ...f, minDuration: f.minDuration ? `${f.minDuration}ms` : undefined, limit: 500 })
  })
  const rows = createMemo(() => {
    const f = filters()
    const fresh = live().traces.filter((t) => matchesTrace(t, f))
    if (!fresh.length) return q.data() ?? []
    const seen = new Set(fresh.map((t) => t.traceId))
    return [...fresh, ...(q.data() ?? []).filter((t) => !seen.has(t.traceId))].sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1))
  })
  const services = createMemo(() => {
    const s = new Set<string>()
    for (const c of live().status?.components ?? []) if (c.kind === "service") s.add(c.name)
    for (const t of rows()) t.services.forEach((x) => s.add(x))
    for (const t of live().traces) t.services.forEach((x) => s.add(x))
    return [...s].sort()
  })
  const maxDur = createMemo(() => rows().reduce((m, t) => Math.max(m, t.duration_ms), 1))
  const [sel, setSel] = createSignal(-1)
  const open = (i: number) => {
    const t = rows()[i]
    if (t) navigate(links.trace(t.traceId))
  }

  return (
    <Page title="Traces" testid="view-traces" actions={<span class="text-xs text-muted mono" data-testid="trace-count">{rows().length} traces</span>}>
      <FilterBar>
        <Select label="Service" value={p.get("service")} options={services()} all="All services" onChange={(v) => p.set({ service: v })} testid="filter-service" />
        <Select label="Status" value={p.get("status")} options={[["ok", "OK"], ["error", "Error"]]} all="Any status" onChange={(v) => p.set({ status: v })} testid="filter-status" />
        <Select
          label="Minimum duration"
          value={p.get("minDuration")}
          options={[["10", "≥ 10 ms"], ["50", "≥ 50 ms"], ["100", "≥ 100 ms"], ["500", "≥ 500 ms"], ["1000", "≥ 1 s"]]}
          all="Any duration"
          onChange={(v) => p.set({ minDuration: v })}
          testid="filter-duration"
        />
        <Search value={p.get("search")} onChange={(v) => p.set({ search: v })} placeholder="Search span names…  /" testid="filter-search" />
        <Show when={p.get("from") || p.get("to")}>
          <Chip onClear={() => p.set({ from: undefined, to: undefined })} testid="filter-window">
            <span class="mono">{windowLabel(p.get("from"), p.get("to"))}</span>
          </Chip>
        </Show>
      </FilterBar>
      <TraceTimeline rows={rows()} service={p.get("service")} from={p.get("from")} to={p.get("to")} onPick={(t) => p.set({ from: iso(t - AROUND_MS), to: iso(t + AROUND_MS) })} />
      <div class={`${COLS} h-8 border-b border-line text-[11px] uppercase tracking-wide text-faint shrink-0`} role="row">
        <span>Time</span>
        <span>Service</span>
        <span>Operation · route</span>
        <span class="text-right">Spans</span>
        <span>Duration</span>
        <span>Trace ID</span>
      </div>
      <VirtualList
        items={rows()}
        rowHeight={34}
        class="flex-1"
        selected={sel()}
        onSelect={setSel}
        onActivate={open}
        aria-label="Traces"
        data-testid="trace-list"
        empty={<div class="p-10 text-center text-muted text-sm">{q.loading() ? "" : "No traces yet. Services that send OTLP to devrig show up here live."}</div>}
      >
        {(t, i) => (
          <div
            class={`${COLS} h-full border-b border-line/60 cursor-pointer hover:bg-hover/60 text-[13px]`}
            onClick={() => (setSel(i()), open(i()))}
            data-testid="trace-row"
            data-trace-id={t.traceId}
            data-status={t.status}
          >
            <span class="mono text-muted">{fmtTime(t.timestamp)}</span>
            <span class="flex items-center gap-1.5 min-w-0">
              <span class="size-2 rounded-sm shrink-0" style={{ background: serviceColor(t.service) }} />
              <span class="truncate">{t.service}</span>
            </span>
            <span class="flex items-center gap-2 min-w-0" title={t.error ? `${t.error.service}: ${t.error.name}: ${t.error.message}` : undefined}>
              <span class="truncate font-medium shrink-0 max-w-[50%]">{t.operation}</span>
              <Show when={t.route && t.route !== t.operation}>
                <span class="truncate mono text-muted" data-testid="trace-route">
                  {t.route}
                </span>
              </Show>
              <Show when={t.bottleneck && t.spans > 1}>
                <span class="truncate text-faint text-xs" data-testid="trace-bottleneck" title="The span with the largest self time">
                  slowest: {t.bottleneck!.service} {t.bottleneck!.name} {fmtDuration(t.bottleneck!.self_ms)}
                </span>
              </Show>
              <Show when={t.errorCount}>
                <span class="chip border-err/40 text-err shrink-0" data-testid="trace-error-badge">
                  {t.errorCount} error{t.errorCount > 1 ? "s" : ""}
                </span>
              </Show>
            </span>
            <span class="mono text-right text-muted">{t.spans}</span>
            <span class="flex items-center gap-2">
              <span class="relative h-1.5 flex-1 rounded-full bg-line/60 overflow-hidden">
                <span class="absolute inset-y-0 left-0 rounded-full" style={{ width: `${Math.max(2, (t.duration_ms / maxDur()) * 100)}%`, background: t.status === "error" ? ERROR_COLOR : serviceColor(t.service) }} />
              </span>
              <span class="mono w-16 text-right">{fmtDuration(t.duration_ms)}</span>
            </span>
            <span class="mono text-faint" title={t.traceId}>
              {shortId(t.traceId, 12)}
            </span>
          </div>
        )}
      </VirtualList>
    </Page>
  )
}

export const traceStartMs = (t: TraceSummary) => toMs(t.timestamp)
