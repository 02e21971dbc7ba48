/**
 * devrig's lifecycle events (start, ready, crash, restart, stop, failed, reload, rebuild): log records
 * of service `devrig` carrying `devrig.event` and `devrig.component`. Loaded once from
 * /api/logs?service=devrig, then kept live from the WebSocket's log batches; every view that
 * draws markers reads the same list.
 */
import { createEffect, createRoot, createSignal, on } from "solid-js"
import type { Attributes, LifecycleEventKind, LogRecord } from "../../../src/server/api-types.ts"
import { get, urls } from "./api.ts"
import { fmtTime, toMs } from "./format.ts"
import { live } from "./live.ts"
import { logsSince } from "./reducer.ts"

export const DEVRIG_SERVICE = "devrig"
const HISTORY = 5_000
const CAP = 20_000

export interface DevrigEvent {
  /** epoch ms */
  t: number
  timestamp: string
  kind: LifecycleEventKind | (string & {})
  component: string
  /** the human sentence: "api crashed (exit 1); restarting in 2s" */
  body: string
  attributes: Attributes
  key: string
}

export const isDevrigEvent = (l: LogRecord) => l.service === DEVRIG_SERVICE && typeof l.attributes["devrig.event"] === "string"

export function toEvent(l: LogRecord): DevrigEvent {
  const kind = String(l.attributes["devrig.event"])
  const component = String(l.attributes["devrig.component"] ?? "")
  return {
    t: toMs(l.timestamp),
    timestamp: l.timestamp,
    kind,
    component,
    body: typeof l.body === "string" ? l.body : JSON.stringify(l.body),
    attributes: l.attributes,
    key: `${l.timeUnixNano}|${kind}|${component}`,
  }
}

/** Colour (a theme variable) and short label of each kind; unknown kinds look like `reload`. */
export const EVENT_STYLE: Record<string, { color: string; label: string }> = {
  start: { color: "--ok", label: "start" },
  ready: { color: "--ok", label: "ready" },
  crash: { color: "--err", label: "crash" },
  restart: { color: "--warn", label: "restart" },
  stop: { color: "--muted", label: "stop" },
  failed: { color: "--err", label: "failed" },
  reload: { color: "--accent", label: "reload" },
  rebuild: { color: "--info", label: "rebuild" },
}
export const eventStyle = (kind: string) => EVENT_STYLE[kind] ?? { color: "--accent", label: kind }
export const eventColor = (kind: string) => `var(${eventStyle(kind).color})`

/** Details worth a line in a tooltip, in a fixed order. */
export function eventDetails(e: DevrigEvent): [string, string][] {
  const out: [string, string][] = []
  for (const k of ["exit_code", "signal", "attempt", "delay_ms", "reason"]) {
    const v = e.attributes[k]
    if (v !== undefined && v !== null && v !== "") out.push([k, String(v)])
  }
  return out
}

export const eventTitle = (e: DevrigEvent) => `${fmtTime(e.t)}  ${e.kind} ${e.component}\n${e.body}`

const [events, setEvents] = createSignal<DevrigEvent[]>([])
let started = false

function merge(incoming: DevrigEvent[]) {
  if (!incoming.length) return
  setEvents((list) => {
    const seen = new Set(list.map((e) => e.key))
    const add = incoming.filter((e) => !seen.has(e.key))
    if (!add.length) return list
    const out = list.concat(add).sort((a, b) => a.t - b.t)
    return out.length > CAP ? out.slice(out.length - CAP) : out
  })
}

/** Every lifecycle event known to the dashboard, oldest first. */
export function devrigEvents(): DevrigEvent[] {
  if (!started) {
    started = true
    createRoot(() => {
      // (Re)load on every socket (re)connect: the history covers whatever was missed.
      createEffect(
        on(
          () => live().epoch,
          () =>
            void get<LogRecord[]>(urls.logs({ service: DEVRIG_SERVICE, limit: HISTORY }))
              .then((logs) => merge(logs.filter(isDevrigEvent).map(toEvent)))
              .catch(() => {}),
        ),
      )
      let seen = live().logSeq
      createEffect(
        on(
          () => live().logSeq,
          () => {
            const fresh = logsSince(live(), seen).filter(isDevrigEvent)
            seen = live().logSeq
            merge(fresh.map(toEvent))
          },
          { defer: true },
        ),
      )
    })
  }
  return events()
}

/** The events of some components inside [from, to] (all components when `components` is empty). */
export function eventsFor(components: string[] | undefined, from: number, to: number): DevrigEvent[] {
  const want = components?.length ? new Set(components) : undefined
  return devrigEvents().filter((e) => e.t >= from && e.t <= to && (!want || want.has(e.component)))
}
