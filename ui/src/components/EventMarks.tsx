/**
 * Lifecycle event markers: a thin tick per event on a time strip (overview rows, the traces
 * timeline), the same ticks over metric charts, and one tooltip for all of them.
 */
import { createMemo, createSignal, For, type JSX, onCleanup, onMount, Show } from "solid-js"
import { Portal } from "solid-js/web"
import { fmtTime } from "../lib/format.ts"
import { type DevrigEvent, eventColor, eventDetails, eventStyle } from "../lib/events.ts"

export function EventBadge(props: { kind: string; class?: string }) {
  return (
    <span
      class={`inline-flex justify-center items-center shrink-0 rounded border px-1 text-[10px] font-semibold uppercase leading-4 ${props.class ?? ""}`}
      style={{ color: eventColor(props.kind), "border-color": `color-mix(in srgb, ${eventColor(props.kind)} 45%, transparent)` }}
      data-testid="event-badge"
    >
      {eventStyle(props.kind).label}
    </span>
  )
}

/** Which kind a cluster of events shows as: the most alarming one. */
const SEVERITY = ["failed", "crash", "restart", "stop", "rebuild", "reload", "start", "ready"]
const rank = (k: string) => (SEVERITY.indexOf(k) + SEVERITY.length + 1) % (SEVERITY.length + 1)

export interface Cluster {
  /** position in px */
  x: number
  /** oldest first */
  evs: DevrigEvent[]
  /** the event the marker shows */
  top: DevrigEvent
}

/** Events closer than `gap` px share one marker: a crash and its restart 2 s later are one story. */
export function cluster(events: DevrigEvent[], xOf: (e: DevrigEvent) => number, gap = 7): Cluster[] {
  const out: Cluster[] = []
  for (const ev of events) {
    const x = xOf(ev)
    const last = out[out.length - 1]
    if (last && x - last.x < gap) {
      last.evs.push(ev)
      if (rank(ev.kind) < rank(last.top.kind)) last.top = ev
    } else out.push({ x, evs: [ev], top: ev })
  }
  return out
}

const [tip, setTip] = createSignal<{ evs: DevrigEvent[]; x: number; y: number; below: boolean; hint?: string }>()
const TIP_MAX = 6

/** Show the tooltip for some events above an element (or hide it with undefined). */
export function showEventTip(evs: DevrigEvent[] | undefined, el?: Element, hint?: string) {
  if (!evs?.length || !el) return setTip(undefined)
  const r = el.getBoundingClientRect()
  // near the top of the window the tooltip opens downwards
  const below = r.top < 90 + 70 * Math.min(evs.length, TIP_MAX)
  setTip({ evs, x: r.left + r.width / 2, y: below ? r.bottom : r.top, below, hint })
}

/** Mounted once (by every view that shows markers; only the first one renders). */
export function EventTip() {
  return (
    <Show when={tip()} keyed>
      {(t) => (
        <Portal>
          <div
            class="fixed z-50 pointer-events-none -translate-x-1/2"
            classList={{ "-translate-y-full pb-2": !t.below, "pt-2": t.below }}
            style={{ left: `${Math.min(Math.max(t.x, 170), innerWidth - 170)}px`, top: `${t.y}px` }}
            data-testid="event-tip"
          >
            <div class="rounded-md border border-line bg-raised px-2.5 py-2 shadow-xl shadow-black/30 text-xs w-80 flex flex-col gap-2">
              <For each={t.evs.slice(-TIP_MAX)}>
                {(ev) => (
                  <div class="flex flex-col gap-0.5">
                    <div class="flex items-center gap-2">
                      <EventBadge kind={ev.kind} />
                      <span class="font-medium">{ev.component}</span>
                      <span class="mono text-faint ml-auto pl-3">{fmtTime(ev.t)}</span>
                    </div>
                    <div class="text-fg">{ev.body}</div>
                    <Show when={eventDetails(ev).length}>
                      <div class="mono text-[11px] text-muted flex flex-wrap gap-x-3">
                        <For each={eventDetails(ev)}>
                          {([k, v]) => (
                            <span>
                              <span class="text-faint">{k}</span> {v}
                            </span>
                          )}
                        </For>
                      </div>
                    </Show>
                  </div>
                )}
              </For>
              <Show when={t.evs.length > TIP_MAX}>
                <div class="text-[11px] text-faint">and {t.evs.length - TIP_MAX} earlier</div>
              </Show>
              <Show when={t.hint}>
                <div class="text-[11px] text-faint">{t.hint}</div>
              </Show>
            </div>
          </div>
        </Portal>
      )}
    </Show>
  )
}

/** One marker (for one event or a cluster): a tick the height of its container, with a head at the top. */
export function EventTick(props: { evs: DevrigEvent[]; top?: DevrigEvent; left: string; onPick?: (e: DevrigEvent) => void; hint?: string }) {
  const ev = () => props.top ?? props.evs[0]!
  const color = () => eventColor(ev().kind)
  const bad = () => ev().kind === "crash" || ev().kind === "failed"
  const label = () => props.evs.map((e) => `${e.kind} ${e.component} at ${fmtTime(e.t)}: ${e.body}`).join("; ")
  return (
    <button
      type="button"
      class="absolute inset-y-0 w-[11px] -translate-x-1/2 flex justify-center group/tick cursor-default focus:outline-none"
      classList={{ "cursor-pointer": !!props.onPick }}
      style={{ left: props.left }}
      onMouseEnter={(e) => showEventTip(props.evs, e.currentTarget, props.hint)}
      onMouseLeave={() => showEventTip(undefined)}
      onFocus={(e) => showEventTip(props.evs, e.currentTarget, props.hint)}
      onBlur={() => showEventTip(undefined)}
      onClick={(e) => (e.stopPropagation(), props.onPick?.(ev()))}
      aria-label={label()}
      data-testid="event-marker"
      data-kind={ev().kind}
      data-kinds={[...new Set(props.evs.map((e) => e.kind))].join(" ")}
      data-component={[...new Set(props.evs.map((e) => e.component))].join(" ")}
    >
      <span class="w-[2px] h-full rounded-full opacity-80 group-hover/tick:opacity-100 group-focus/tick:opacity-100" style={{ background: color() }} />
      <span
        class="absolute top-0 size-[7px] ring-2 ring-panel group-hover/tick:scale-125 transition-transform"
        classList={{ "rotate-45": bad(), "rounded-full": !bad() }}
        style={{ background: color() }}
      />
      <Show when={props.evs.length > 1}>
        <span class="absolute -top-[3px] left-[8px] text-[9px] leading-none font-semibold text-muted">{props.evs.length}</span>
      </Show>
    </button>
  )
}

/**
 * A horizontal time strip from `from` to `to` (epoch ms) with a marker per event. `under`
 * draws behind the markers (uptime segments, a trace histogram).
 */
export function EventStrip(props: {
  events: DevrigEvent[]
  from: number
  to: number
  class?: string
  testid?: string
  under?: JSX.Element
  onPick?: (e: DevrigEvent) => void
  hint?: string
}) {
  let el!: HTMLDivElement
  const [width, setWidth] = createSignal(200)
  onMount(() => {
    setWidth(el.clientWidth || 200)
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || 200))
    ro.observe(el)
    onCleanup(() => ro.disconnect())
  })
  const marks = createMemo(() => {
    const span = Math.max(1, props.to - props.from)
    return cluster(
      props.events.filter((e) => e.t >= props.from && e.t <= props.to),
      (e) => ((e.t - props.from) / span) * width(),
    )
  })
  return (
    <div ref={el} class={`relative ${props.class ?? ""}`} data-testid={props.testid}>
      {props.under}
      <For each={marks()}>{(c) => <EventTick evs={c.evs} top={c.top} left={`${c.x.toFixed(1)}px`} onPick={props.onPick} hint={props.hint} />}</For>
    </div>
  )
}
