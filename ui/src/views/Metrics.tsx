import { useNavigate } from "@solidjs/router"
import { createEffect, createMemo, createSignal, For, lazy, Show } from "solid-js"
import type { MetricInfo, MetricSeries } from "../../../src/server/api-types.ts"
import { FilterBar, Search, Select } from "../components/Filters.tsx"
import { Page } from "../components/Page.tsx"
import { PointMenu } from "../components/PointMenu.tsx"
import { urls } from "../lib/api.ts"
import { serviceColor } from "../lib/colors.ts"
import { eventsFor } from "../lib/events.ts"
import { fmtNumber, fmtTime, toMs } from "../lib/format.ts"
import { live, now, useQuery } from "../lib/live.ts"
import { jump, links, provideJumps } from "../lib/nav.ts"
import { useParams } from "../lib/params.ts"
import { bucketTotals, labelOptions, matchesLabel, toColumns } from "../lib/series.ts"

type K = "name" | "service" | "label" | "at" | "last" | "mode" | "q"
const Chart = lazy(() => import("../components/Chart.tsx").then((m) => ({ default: m.Chart })))
const Q_COLORS = { p50: "#4da3ff", p90: "#f5b73b", p99: "#f2546f" }
const TYPE_LABEL: Record<string, string> = { gauge: "gauge", sum: "sum", histogram: "histogram", exponential_histogram: "exp histogram", summary: "summary" }

export function MetricsView() {
  const p = useParams<K>()
  const navigate = useNavigate()
  const names = useQuery<MetricInfo[]>(() => urls.metricNames())
  const all = createMemo(() => {
    const m = new Map((names.data() ?? []).map((x) => [x.name, x]))
    for (const x of live().metrics) m.set(x.name, x)
    return [...m.values()].sort((a, b) => a.name.localeCompare(b.name))
  })
  const list = createMemo(() => {
    const s = p.get("service")
    const q = p.get("q")?.toLowerCase()
    return all().filter((m) => (!s || m.services.includes(s)) && (!q || m.name.toLowerCase().includes(q)))
  })
  // Arriving without a metric name (a jump from a span or log): pick the most telling one.
  createEffect(() => {
    if (p.get("name") || !list().length) return
    const pick = list().find((m) => /duration|latency/i.test(m.name)) ?? list()[0]!
    p.set({ name: pick.name })
  })
  const info = () => all().find((m) => m.name === p.get("name"))
  const at = () => (p.get("at") ? toMs(p.get("at")!) : undefined)
  const last = () => p.get("last") ?? (at() && Date.now() - at()! > 10 * 60_000 ? "1h" : "15m")
  const series = useQuery<MetricSeries[]>(
    () => (p.get("name") ? urls.metric(p.get("name")!, p.get("service"), last()) : null),
    () => info()?.lastTimestamp,
  )
  const shown = createMemo(() => (series.data() ?? []).filter((s) => matchesLabel(s, p.get("label"))))
  const isHist = () => info()?.type === "histogram" || info()?.type === "exponential_histogram"
  const mode = () => (isHist() && p.get("mode") === "buckets" ? "buckets" : "lines")
  const cols = createMemo(() => toColumns(shown(), { cumulative: info()?.temporality !== "delta" }))
  const buckets = createMemo(() => (mode() === "buckets" ? bucketTotals(shown(), info()?.temporality !== "delta") : null))
  const chartSeries = createMemo(() => {
    const services = new Map<string, number>()
    return cols().lines.map((l) => {
      const n = services.get(l.service) ?? 0
      if (!l.kind) services.set(l.service, n + 1)
      const single = new Set(cols().lines.map((x) => x.service + x.label.replace(/ p\d\d$/, ""))).size === 1
      const color = l.kind && single ? Q_COLORS[l.kind] : serviceColor(n ? `${l.service}#${n}` : l.service)
      return { label: l.label, color, dash: single ? undefined : l.kind === "p50" ? [2, 3] : l.kind === "p99" ? [7, 4] : undefined }
    })
  })
  // lifecycle events of the chosen service (or of every service sending this metric)
  const chartEvents = createMemo(() => {
    const m = /^(\d+)([mh])$/.exec(last())
    const span = m ? Number(m[1]) * (m[2] === "h" ? 3_600_000 : 60_000) : 15 * 60_000
    return eventsFor(p.get("service") ? [p.get("service")!] : (info()?.services ?? []), now() - span, Infinity)
  })
  const [menu, setMenu] = createSignal<{ x: number; y: number; at: number; service?: string }>()
  const from = () => p.get("name") ?? "Metrics"
  provideJumps(() => {
    const t = at() ?? Date.now()
    const svc = p.get("service") ?? info()?.services[0]
    return { t: links.tracesAround(svc, t), l: links.logsAround(svc, t), label: `Metric ${from()}` }
  })
  const go = (to: string) => jump(navigate, to, `Metric ${from()}`)

  return (
    <Page title="Metrics" testid="view-metrics">
      <FilterBar>
        <Select label="Service" value={p.get("service")} options={[...new Set(all().flatMap((m) => m.services))].sort()} all="All services" onChange={(v) => p.set({ service: v, label: undefined })} testid="filter-service" />
        <Select label="Label" value={p.get("label")} options={labelOptions(series.data() ?? [])} all="All labels" onChange={(v) => p.set({ label: v })} testid="filter-label" />
        <Select label="Range" value={p.get("last")} options={[["5m", "Last 5 min"], ["1h", "Last hour"]]} all="Last 15 min" onChange={(v) => p.set({ last: v })} testid="filter-range" />
        <Show when={isHist()}>
          <Select label="Histogram view" value={p.get("mode")} options={[["buckets", "Bucket counts"]]} all="p50 / p90 / p99" onChange={(v) => p.set({ mode: v })} testid="filter-mode" />
        </Show>
        <Show when={at()}>
          <span class="chip h-7 border-accent/40 text-fg" data-testid="metric-at">
            at <span class="mono">{fmtTime(at()!)}</span>
          </span>
        </Show>
      </FilterBar>
      <div class="flex flex-1 min-h-0">
        <div class="w-72 shrink-0 border-r border-line flex flex-col min-h-0">
          <div class="p-2 border-b border-line">
            <Search value={p.get("q")} onChange={(v) => p.set({ q: v })} placeholder="Filter metrics…" testid="metric-search" class="w-full" />
          </div>
          <ul class="overflow-auto flex-1 p-1.5" data-testid="metric-list" aria-label="Metrics">
            <For each={list()} fallback={<li class="p-4 text-xs text-muted">No metrics yet. Anything your services export over OTLP appears here.</li>}>
              {(m) => (
                <li>
                  <button
                    class="w-full text-left rounded-md px-2.5 py-1.5 hover:bg-hover cursor-pointer"
                    classList={{ "row-sel": m.name === p.get("name") }}
                    onClick={() => p.set({ name: m.name, label: undefined, mode: undefined }, false)}
                    data-testid="metric-item"
                    data-name={m.name}
                  >
                    <div class="mono text-[12px] truncate text-fg">{m.name}</div>
                    <div class="flex items-center gap-1.5 text-[11px] text-faint mt-0.5">
                      <span data-testid="metric-type">{TYPE_LABEL[m.type] ?? m.type}</span>
                      <Show when={m.unit}>
                        <span>· {m.unit}</span>
                      </Show>
                      <span class="truncate">· {m.services.join(", ")}</span>
                    </div>
                  </button>
                </li>
              )}
            </For>
          </ul>
        </div>
        <div class="flex-1 min-w-0 overflow-auto p-5 flex flex-col gap-4">
          <Show when={info()} fallback={<div class="text-muted text-sm">{list().length ? "Choose a metric." : ""}</div>}>
            {(m) => (
              <>
                <div>
                  <div class="flex items-baseline gap-3">
                    <h2 class="mono text-[15px] font-semibold" data-testid="metric-title">
                      {m().name}
                    </h2>
                    <span class="chip">{TYPE_LABEL[m().type]}</span>
                    <Show when={m().unit}>
                      <span class="text-xs text-muted">unit {m().unit}</span>
                    </Show>
                  </div>
                  <Show when={m().description}>
                    <p class="text-xs text-muted mt-1">{m().description}</p>
                  </Show>
                </div>
                <div class="rounded-lg border border-line bg-panel p-3">
                  <Show when={shown().length} fallback={<div class="h-[320px] grid place-items-center text-xs text-muted">{series.loading() ? "" : "No points in this range."}</div>}>
                    <Show
                      when={mode() === "buckets" && buckets()}
                      fallback={
                        <Chart
                          xs={cols().xs}
                          ys={cols().lines.map((l) => l.values)}
                          series={chartSeries()}
                          unit={m().unit}
                          marker={at() !== undefined ? at()! / 1000 : undefined}
                          events={chartEvents()}
                          onPick={(pt) => setMenu({ x: pt.clientX, y: pt.clientY, at: pt.x * 1000, service: p.get("service") ?? (pt.seriesIndex !== null ? cols().lines[pt.seriesIndex]?.service : undefined) })}
                        />
                      }
                    >
                      {(b) => (
                        <Chart xs={b().counts.map((_, i) => i)} ys={[b().counts]} series={[{ label: "count", color: "#8b7cf6" }]} bars xLabels={b().counts.map((_, i) => (i < b().bounds.length ? `≤${fmtNumber(b().bounds[i]!)}` : `>${fmtNumber(b().bounds.at(-1)!)}`))} />
                      )}
                    </Show>
                  </Show>
                  <div class="text-[11px] text-faint mt-1 px-1">Click a point to see the traces or logs around that moment.</div>
                </div>
                <SeriesTable lines={cols().lines} colors={chartSeries().map((s) => s.color)} unit={m().unit} />
              </>
            )}
          </Show>
        </div>
      </div>
      <Show when={menu()} keyed>
        {(mn) => (
          <PointMenu
            {...mn}
            onClose={() => setMenu(undefined)}
            items={[
              { label: "View traces around this time", testid: "menu-view-traces", run: () => go(links.tracesAround(mn.service, mn.at)) },
              { label: "View logs around this time", testid: "menu-view-logs", run: () => go(links.logsAround(mn.service, mn.at)) },
            ]}
          />
        )}
      </Show>
    </Page>
  )
}

function SeriesTable(props: { lines: { label: string; values: (number | null)[] }[]; colors: string[]; unit: string }) {
  const stats = (v: (number | null)[]) => {
    const n = v.filter((x): x is number => x !== null)
    return { last: n.at(-1), min: n.length ? Math.min(...n) : undefined, max: n.length ? Math.max(...n) : undefined }
  }
  return (
    <table class="w-full text-xs" data-testid="series-table">
      <thead>
        <tr class="text-faint">
          <th class="th px-2">Series</th>
          <th class="th px-2 text-right">Last</th>
          <th class="th px-2 text-right">Min</th>
          <th class="th px-2 text-right">Max</th>
        </tr>
      </thead>
      <tbody>
        <For each={props.lines}>
          {(l, i) => {
            const s = () => stats(l.values)
            return (
              <tr class="border-t border-line">
                <td class="px-2 h-7">
                  <span class="inline-block size-2 rounded-sm mr-2" style={{ background: props.colors[i()] }} />
                  <span class="mono">{l.label}</span>
                </td>
                <td class="px-2 mono text-right">{s().last === undefined ? "–" : fmtNumber(s().last!)}</td>
                <td class="px-2 mono text-right text-muted">{s().min === undefined ? "–" : fmtNumber(s().min!)}</td>
                <td class="px-2 mono text-right text-muted">{s().max === undefined ? "–" : fmtNumber(s().max!)}</td>
              </tr>
            )
          }}
        </For>
      </tbody>
    </table>
  )
}
