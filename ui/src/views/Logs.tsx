import { useNavigate } from "@solidjs/router"
import { batch, createEffect, createMemo, createSignal, on, Show } from "solid-js"
import type { LogRecord } from "../../../src/server/api-types.ts"
import { EventBadge } from "../components/EventMarks.tsx"
import { Chip, FilterBar, Search, Select, windowLabel } from "../components/Filters.tsx"
import { Page } from "../components/Page.tsx"
import { VirtualList } from "../components/VirtualList.tsx"
import { urls } from "../lib/api.ts"
import { serviceColor } from "../lib/colors.ts"
import { DEVRIG_SERVICE, eventColor, isDevrigEvent } from "../lib/events.ts"
import { fmtTime, shortId, toMs } from "../lib/format.ts"
import { live, useQuery } from "../lib/live.ts"
import { jump, links, onEscape } from "../lib/nav.ts"
import { useParams } from "../lib/params.ts"
import { LOG_CAP, logsSince } from "../lib/reducer.ts"
import { LogDetail } from "./LogDetail.tsx"
import { LevelBadge, LEVELS, levelRank, logBody, logKey } from "./LogRow.tsx"

type K = "service" | "level" | "search" | "traceId" | "from" | "to" | "events" | "source"
export const LOG_LIMIT = 10_000

export interface LogFilter {
  service?: string
  level?: string
  search?: string
  traceId?: string
  from?: string
  to?: string
  /** only devrig's lifecycle events */
  events?: boolean
  /** with `events`: only those about this component */
  component?: string
  /** otlp: sent by SDKs; output: the services' stdout/stderr lines */
  source?: string
}

/** Where a record came from; devrig marks its own records by scope. */
export const logSource = (l: LogRecord) => (l.scope.name === "devrig.lifecycle" ? "events" : l.scope.name === "devrig.stdout" ? "output" : "otlp")

/** The service a record is about: a lifecycle event is about its component, not devrig. */
const subject = (l: LogRecord) => (isDevrigEvent(l) ? String(l.attributes["devrig.component"] ?? l.service) : l.service)

export function matchesLog(l: LogRecord, f: LogFilter) {
  if (f.events && !isDevrigEvent(l)) return false
  if (f.source && logSource(l) !== f.source) return false
  if (f.component && subject(l) !== f.component) return false
  if (f.service && l.service !== f.service) return false
  if (f.level && LEVELS.indexOf(f.level as never) > 0 && levelRank(l.level) < LEVELS.indexOf(f.level as never)) return false
  if (f.traceId && l.traceId !== f.traceId) return false
  if (f.from && l.timestamp < f.from) return false
  if (f.to && l.timestamp > f.to) return false
  if (f.search && !logBody(l).toLowerCase().includes(f.search.toLowerCase())) return false
  return true
}

const COLS = "grid grid-cols-[96px_52px_minmax(90px,140px)_1fr_auto] items-center gap-3 px-5"

export function LogsView() {
  const p = useParams<K>()
  const navigate = useNavigate()
  const events = () => p.get("events") === "1"
  const filter = (): LogFilter => ({
    service: events() ? DEVRIG_SERVICE : p.get("service"),
    level: p.get("level"),
    search: p.get("search"),
    traceId: p.get("traceId"),
    from: p.get("from"),
    to: p.get("to"),
    events: events(),
    component: events() ? p.get("service") : undefined,
    source: events() ? undefined : p.get("source"),
  })
  const q = useQuery<LogRecord[]>(() => {
    const { events: _, component: __, ...f } = filter()
    const min = f.level ? LEVELS.indexOf(f.level as never) : -1
    return urls.logs({ ...f, level: min > 0 ? LEVELS.slice(min).join(",") : undefined, limit: LOG_LIMIT })
  })

  // Records pushed after the fetch are prepended incrementally: O(batch), not O(rows).
  const [fresh, setFresh] = createSignal<LogRecord[]>([])
  let seen = live().logSeq
  createEffect(
    on(q.data, () => {
      seen = live().logSeq
      setFresh([])
    }),
  )
  createEffect(
    on(
      () => live().logSeq,
      () => {
        const f = filter()
        const batchRows = logsSince(live(), seen).filter((l) => matchesLog(l, f))
        seen = live().logSeq
        if (!batchRows.length) return
        const known = new Set((q.data() ?? []).slice(0, 500).map(logKey))
        const add = batchRows.filter((l) => !known.has(logKey(l)))
        if (add.length) setFresh((r) => (r.length + add.length > LOG_CAP ? add.concat(r).slice(0, LOG_CAP) : add.concat(r)))
      },
      { defer: true },
    ),
  )
  const rows = createMemo(() => {
    const all = fresh().length ? fresh().concat(q.data() ?? []) : (q.data() ?? [])
    const c = filter().component
    return events() ? all.filter((l) => isDevrigEvent(l) && (!c || subject(l) === c)) : all
  })
  const services = createMemo(() => {
    const s = new Set<string>()
    for (const c of live().status?.components ?? []) if (c.kind === "service") s.add(c.name)
    for (const l of (q.data() ?? []).slice(0, 2000)) s.add(l.service)
    return [...s].sort()
  })

  const [sel, setSel] = createSignal(-1)
  const [open, setOpen] = createSignal<LogRecord>()
  createEffect(on(() => p.get("traceId") + (p.get("from") ?? ""), () => batch(() => (setSel(-1), setOpen(undefined)))))
  onEscape(() => (open() ? setOpen(undefined) : false))
  const go = (to: string, l: LogRecord) => jump(navigate, to, `Log ${fmtTime(l.timestamp)}`)

  return (
    <Page title="Logs" testid="view-logs" actions={<span class="text-xs text-muted mono" data-testid="log-count">{rows().length.toLocaleString()} records</span>}>
      <FilterBar>
        <Select label="Service" value={p.get("service")} options={services()} all="All services" onChange={(v) => p.set({ service: v })} testid="filter-service" />
        <Select label="Minimum severity" value={p.get("level")} options={LEVELS.map((l) => [l, `≥ ${l}`] as [string, string])} all="Any severity" onChange={(v) => p.set({ level: v })} testid="filter-level" />
        <Select label="Source" value={p.get("source")} options={[["otlp", "OpenTelemetry"], ["output", "Process output"]]} all="All sources" onChange={(v) => p.set({ source: v })} testid="filter-source" />
        <Search value={p.get("search")} onChange={(v) => p.set({ search: v })} placeholder="Search log bodies…  /" testid="filter-search" class="w-72" />
        <button
          class="chip h-7 px-2 cursor-pointer hover:text-fg"
          classList={{ "bg-accent/15 border-accent/50 text-fg": events() }}
          aria-pressed={events()}
          onClick={() => p.set({ events: events() ? undefined : "1" })}
          title="Only devrig's lifecycle events: starts, crashes, restarts, stops, reloads"
          data-testid="filter-events"
        >
          <span class="flex gap-px">
            <span class="w-[2px] h-3 rounded-full bg-ok" />
            <span class="w-[2px] h-3 rounded-full bg-err" />
            <span class="w-[2px] h-3 rounded-full bg-warn" />
          </span>
          devrig events
        </button>
        <Show when={p.get("traceId")}>
          <Chip onClear={() => p.set({ traceId: undefined })} testid="filter-trace">
            trace <span class="mono">{shortId(p.get("traceId")!, 12)}</span>
          </Chip>
        </Show>
        <Show when={p.get("from") || p.get("to")}>
          <Chip onClear={() => p.set({ from: undefined, to: undefined })} testid="filter-window">
            <span class="mono">{windowLabel(p.get("from"), p.get("to"))}</span>
          </Chip>
        </Show>
      </FilterBar>
      <div class="flex flex-1 min-h-0">
        <div class="flex flex-col flex-1 min-w-0">
          <VirtualList
            items={rows()}
            rowHeight={28}
            class="flex-1"
            selected={sel()}
            onSelect={(i) => (setSel(i), open() && setOpen(rows()[i]))}
            onActivate={(i) => setOpen(rows()[i])}
            aria-label="Log records"
            data-testid="log-list"
            empty={<div class="p-10 text-center text-muted text-sm">{q.loading() ? "" : "No log records match."}</div>}
          >
            {(l, i) => (
              <div
                class={`${COLS} h-full border-b border-line/40 hover:bg-hover/60 cursor-pointer group text-[13px]`}
                classList={{ "bg-err/5": levelRank(l.level) >= 4 && !isDevrigEvent(l), "devrig-event": isDevrigEvent(l) }}
                style={isDevrigEvent(l) ? { "--ev": eventColor(String(l.attributes["devrig.event"])) } : undefined}
                onClick={() => (setSel(i()), setOpen(l))}
                data-testid="log-row"
                data-event={isDevrigEvent(l) ? String(l.attributes["devrig.event"]) : undefined}
                data-level={l.level}
                data-service={l.service}
                data-trace-id={l.traceId}
              >
                <span class="mono text-muted">{fmtTime(l.timestamp)}</span>
                <Show when={isDevrigEvent(l)} fallback={<LevelBadge level={l.level} />}>
                  <EventBadge kind={String(l.attributes["devrig.event"])} class="w-12" />
                </Show>
                <span class="flex items-center gap-1.5 min-w-0">
                  <span class="size-2 rounded-sm shrink-0" style={{ background: serviceColor(subject(l)) }} />
                  <span class="truncate text-muted">
                    <Show when={isDevrigEvent(l)} fallback={l.service}>
                      <span class="text-faint">devrig ›</span> <span class="text-fg">{subject(l)}</span>
                    </Show>
                  </span>
                </span>
                <span class="mono truncate" data-testid="log-body">
                  {logBody(l)}
                </span>
                <span class="flex gap-0.5" onClick={(e) => e.stopPropagation()}>
                  <Show
                    when={l.traceId}
                    fallback={
                      <>
                        <button class="btn-ghost opacity-0 group-hover:opacity-100 focus:opacity-100" onClick={() => go(links.tracesAround(subject(l), toMs(l.timestamp)), l)} data-testid="log-view-traces">
                          Traces
                        </button>
                        <button class="btn-ghost opacity-0 group-hover:opacity-100 focus:opacity-100" onClick={() => go(links.metricsAt(subject(l), l.timestamp), l)} data-testid="log-view-metrics">
                          Metrics
                        </button>
                      </>
                    }
                  >
                    {(id) => (
                      <button class="btn-ghost text-info" onClick={() => go(links.trace(id(), l.spanId), l)} data-testid="log-view-trace">
                        View trace
                      </button>
                    )}
                  </Show>
                </span>
              </div>
            )}
          </VirtualList>
        </div>
        <Show when={open()} keyed>
          {(l) => <LogDetail log={l} onClose={() => setOpen(undefined)} go={(to) => go(to, l)} />}
        </Show>
      </div>
    </Page>
  )
}
