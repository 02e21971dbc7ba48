/**
 * The dashboard's live state and the pure reducer that applies WebSocket events to it.
 * No Solid, no DOM: unit-tested in test/unit/ui/reducer.test.ts.
 */
import type { CollectorCounters, LogRecord, MetricInfo, StatusResponse, TraceSummary, WsEvent } from "../../../src/server/api-types.ts"
import type { Action, ComponentState, ComponentStatus } from "../../../src/status.ts"

export const TRACE_CAP = 2_000
export const LOG_CAP = 100_000

export type Connection = "connecting" | "open" | "closed"

export interface LiveState {
  connection: Connection
  status: StatusResponse | null
  /** newest first, one entry per trace id (later summaries of a trace replace earlier ones) */
  traces: TraceSummary[]
  /** newest first, capped at LOG_CAP */
  logs: LogRecord[]
  /** total log records ever pushed; `logs.slice(0, logSeq - seen)` are the ones after `seen` */
  logSeq: number
  traceSeq: number
  /** sorted by name */
  metrics: MetricInfo[]
  /** bumped on every (re)connect: views refetch what they may have missed */
  epoch: number
  /** actions clicked but not yet confirmed by a status event (optimistic UI) */
  pending: Record<string, Action>
}

export type LocalEvent =
  | { type: "ws.open" }
  | { type: "ws.close" }
  /** GET /api/status at boot: shows the overview before the socket's hello arrives */
  | { type: "snapshot"; status: StatusResponse }
  | { type: "action"; name: string; action: Action }
  | { type: "action.failed"; name: string }

export type LiveEvent = WsEvent | LocalEvent

export const initialState = (): LiveState => ({
  connection: "connecting",
  status: null,
  traces: [],
  logs: [],
  logSeq: 0,
  traceSeq: 0,
  metrics: [],
  epoch: 0,
  pending: {},
})

const byTimeDesc = (a: { timestamp: string }, b: { timestamp: string }) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0)

export function upsertTraces(list: TraceSummary[], incoming: TraceSummary[], cap = TRACE_CAP): TraceSummary[] {
  if (!incoming.length) return list
  const fresh = new Map(incoming.map((t) => [t.traceId, t]))
  const kept = list.filter((t) => !fresh.has(t.traceId))
  return [...fresh.values(), ...kept].sort(byTimeDesc).slice(0, cap)
}

export function prependLogs(list: LogRecord[], incoming: LogRecord[], cap = LOG_CAP): LogRecord[] {
  if (!incoming.length) return list
  const batch = incoming.slice().sort(byTimeDesc)
  const out = batch.length >= cap ? batch.slice(0, cap) : batch.concat(list.length + batch.length > cap ? list.slice(0, cap - batch.length) : list)
  return out
}

/** The log records pushed after a view last looked (`seen` = the logSeq it saw). */
export function logsSince(s: LiveState, seen: number): LogRecord[] {
  return s.logs.slice(0, Math.min(s.logs.length, Math.max(0, s.logSeq - seen)))
}

function upsertComponent(status: StatusResponse, c: ComponentStatus): StatusResponse {
  const i = status.components.findIndex((x) => x.name === c.name && x.kind === c.kind)
  const components = status.components.slice()
  if (i === -1) components.push(c)
  else components[i] = c
  return { ...status, components }
}

function upsertMetrics(list: MetricInfo[], incoming: MetricInfo[]): MetricInfo[] {
  const m = new Map(list.map((x) => [x.name, x]))
  for (const x of incoming) m.set(x.name, x)
  return [...m.values()].sort((a, b) => a.name.localeCompare(b.name))
}

const optimistic: Record<Action, ComponentState> = { start: "starting", stop: "stopping", restart: "restarting" }

export function reduce(s: LiveState, ev: LiveEvent): LiveState {
  switch (ev.type) {
    case "ws.open":
      return { ...s, connection: "open" }
    case "ws.close":
      return { ...s, connection: "closed" }
    case "snapshot":
      return s.status ? s : { ...s, status: ev.status }
    case "hello":
      return { ...s, connection: "open", status: ev.status, epoch: s.epoch + 1, pending: {} }
    case "status": {
      if (!s.status) return s
      const { [ev.component.name]: _, ...pending } = s.pending
      return { ...s, status: upsertComponent(s.status, ev.component), pending }
    }
    case "collector":
      return s.status ? { ...s, status: { ...s.status, collector: ev.collector as CollectorCounters } } : s
    case "traces":
      return { ...s, traces: upsertTraces(s.traces, ev.traces), traceSeq: s.traceSeq + ev.traces.length }
    case "logs":
      return { ...s, logs: prependLogs(s.logs, ev.logs), logSeq: s.logSeq + ev.logs.length }
    case "metrics":
      return { ...s, metrics: upsertMetrics(s.metrics, ev.metrics) }
    case "action":
      return { ...s, pending: { ...s.pending, [ev.name]: ev.action } }
    case "action.failed": {
      const { [ev.name]: _, ...pending } = s.pending
      return { ...s, pending }
    }
    default:
      return s
  }
}

/** What the overview shows for a component: the optimistic state while an action is in flight. */
export function displayState(s: LiveState, c: ComponentStatus): ComponentState {
  const a = s.pending[c.name]
  return a ? optimistic[a] : c.state
}
