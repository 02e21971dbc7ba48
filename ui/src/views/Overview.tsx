import { createMemo, For, Show } from "solid-js"
import type { Action, ComponentKind, ComponentStatus } from "../../../src/status.ts"
import { EventStrip } from "../components/EventMarks.tsx"
import { IconExternal, IconPlay, IconRestart, IconStop } from "../components/icons.tsx"
import { Page } from "../components/Page.tsx"
import { StatusDot } from "../components/StatusDot.tsx"
import { toast } from "../components/Toast.tsx"
import { api } from "../lib/api.ts"
import { fmtNumber, fmtTime, fmtUptime } from "../lib/format.ts"
import { type DevrigEvent, eventsFor } from "../lib/events.ts"
import { dispatch, live, now } from "../lib/live.ts"
import { displayState } from "../lib/reducer.ts"

const GROUPS: { kind: ComponentKind[]; title: string }[] = [
  { kind: ["service"], title: "Services" },
  { kind: ["docker"], title: "Containers" },
  { kind: ["compose"], title: "Compose" },
  { kind: ["cluster", "deploy", "addon"], title: "Cluster" },
]
const UP = new Set(["running", "ready", "starting", "restarting"])
const TIMELINE_MS = 15 * 60_000
const STARTS = new Set(["start", "ready"])
const ENDS = new Set(["crash", "stop", "failed"])

/** The stretches of [from, to] a component was up, from its events and its current state. */
export function upSegments(events: DevrigEvent[], c: ComponentStatus, from: number, to: number, up: boolean): [number, number][] {
  const out: [number, number][] = []
  let since: number | undefined
  events.forEach((e, i) => {
    if (STARTS.has(e.kind)) since ??= e.t
    else if (ENDS.has(e.kind)) {
      // the first event of the window ends a run that began before it
      if (since !== undefined || i === 0) out.push([since ?? from, e.t])
      since = undefined
    }
  })
  const started = c.startedAt ? Date.parse(c.startedAt) : undefined
  if (up) out.push([Math.max(from, since ?? started ?? from), to])
  return out.filter(([a, b]) => b > a)
}

function Timeline(props: { c: ComponentStatus; up: boolean }) {
  const to = () => now()
  const from = () => to() - TIMELINE_MS
  const events = () => eventsFor([props.c.name], from(), to())
  const pct = (t: number) => `${(((t - from()) / TIMELINE_MS) * 100).toFixed(3)}%`
  return (
    <EventStrip
      events={events()}
      from={from()}
      to={to()}
      class="h-6 w-full"
      testid="component-timeline"
      under={
        <>
          <span class="absolute inset-x-0 top-1/2 h-px bg-line" />
          <For each={upSegments(events(), props.c, from(), to(), props.up)}>
            {([a, b]) => <span class="absolute top-1/2 -mt-px h-[3px] rounded-full bg-ok/45" style={{ left: pct(a), width: `calc(${pct(b)} - ${pct(a)})` }} />}
          </For>
        </>
      }
    />
  )
}

function Ports(props: { c: ComponentStatus }) {
  const entries = () => {
    const out: { label: string; href?: string }[] = []
    if (props.c.url) out.push({ label: props.c.url.replace(/^https?:\/\//, ""), href: props.c.url })
    else if (props.c.port) out.push({ label: `:${props.c.port}`, href: `http://localhost:${props.c.port}` })
    for (const [name, p] of Object.entries(props.c.ports ?? {})) if (p !== props.c.port) out.push({ label: `${name} :${p}`, href: `http://localhost:${p}` })
    return out
  }
  return (
    <div class="flex flex-wrap gap-x-3 gap-y-0.5">
      <For each={entries()} fallback={<span class="text-faint">–</span>}>
        {(e) => (
          <a href={e.href} target="_blank" rel="noreferrer" class="mono inline-flex items-center gap-1 text-info hover:underline" data-testid="component-url">
            {e.label}
            <IconExternal class="size-3 opacity-60" />
          </a>
        )}
      </For>
    </div>
  )
}

function Row(props: { c: ComponentStatus }) {
  const state = () => displayState(live(), props.c)
  const pending = () => live().pending[props.c.name] !== undefined
  const act = async (a: Action) => {
    dispatch({ type: "action", name: props.c.name, action: a })
    try {
      await api.action(props.c.name, a)
    } catch (e) {
      dispatch({ type: "action.failed", name: props.c.name })
      toast(`${a} ${props.c.name}: ${(e as Error).message}`)
    }
  }
  const up = () => UP.has(state())
  return (
    <tr class="border-t border-line hover:bg-hover/50 group" data-testid="component-row" data-name={props.c.name} data-state={state()} tabindex={-1}>
      <td class="px-3 h-10 w-[28%]">
        <div class="flex items-center gap-2.5 min-w-0">
          <StatusDot state={state()} />
          <span class="font-medium truncate">{props.c.name}</span>
          <Show when={props.c.detail}>
            <span class="mono text-[11px] text-faint truncate">{props.c.detail}</span>
          </Show>
        </div>
      </td>
      <td class="px-3">
        <span class="text-xs" classList={{ "text-err": state() === "failed", "text-muted": state() !== "failed" }} data-testid="component-state" title={props.c.error}>
          {state()}
          <Show when={props.c.exitCode != null && !up()}> ({props.c.exitCode})</Show>
        </span>
      </td>
      <td class="px-3 mono text-muted" data-testid="component-uptime">
        {props.c.startedAt && up() ? fmtUptime(now() - new Date(props.c.startedAt).getTime()) : "–"}
      </td>
      <td class="px-3">
        <Ports c={props.c} />
      </td>
      <td class="px-3 w-[220px] min-w-40">
        <Timeline c={props.c} up={up()} />
      </td>
      <td class="px-3 mono text-right" classList={{ "text-warn": props.c.restarts > 0, "text-faint": !props.c.restarts }} data-testid="component-restarts">
        {props.c.restarts}
      </td>
      <td class="px-3 mono text-faint text-right">{props.c.pid ?? "–"}</td>
      <td class="px-3">
        <div class="flex justify-end gap-1">
          <Show
            when={up()}
            fallback={
              <button class="btn" disabled={pending()} onClick={() => act("start")} data-testid="action-start" aria-label={`Start ${props.c.name}`}>
                <IconPlay class="size-3" /> Start
              </button>
            }
          >
            <button class="btn" disabled={pending()} onClick={() => act("stop")} data-testid="action-stop" aria-label={`Stop ${props.c.name}`}>
              <IconStop class="size-3" /> Stop
            </button>
          </Show>
          <button class="btn" disabled={pending()} onClick={() => act("restart")} data-testid="action-restart" aria-label={`Restart ${props.c.name}`}>
            <IconRestart class="size-3" /> Restart
          </button>
        </div>
      </td>
    </tr>
  )
}

function Stat(props: { label: string; value: number | undefined; sub?: string; testid: string }) {
  return (
    <div class="rounded-lg border border-line bg-panel px-4 py-3 min-w-36" data-testid={props.testid}>
      <div class="text-[11px] uppercase tracking-wide text-faint">{props.label}</div>
      <div class="mono text-xl text-fg mt-0.5" style={{ "font-size": "20px" }}>
        {props.value === undefined ? "–" : fmtNumber(props.value)}
      </div>
      <Show when={props.sub}>
        <div class="text-[11px] text-muted mt-0.5">{props.sub}</div>
      </Show>
    </div>
  )
}

/** Arrow keys move between rows; the action buttons stay reachable with Tab. */
function onTableKey(e: KeyboardEvent) {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return
  const rows = [...document.querySelectorAll<HTMLElement>("[data-testid=component-row]")]
  const cur = rows.findIndex((r) => r.contains(document.activeElement))
  const next = rows[Math.max(0, Math.min(rows.length - 1, cur + (e.key === "ArrowDown" ? 1 : -1)))]
  next?.focus()
  e.preventDefault()
}

export function OverviewView() {
  const status = () => live().status
  const groups = createMemo(() => GROUPS.map((g) => ({ ...g, items: (status()?.components ?? []).filter((c) => g.kind.includes(c.kind)) })).filter((g) => g.items.length))
  const c = () => status()?.collector
  const upCount = () => (status()?.components ?? []).filter((x) => UP.has(x.state)).length
  return (
    <Page title="Overview" testid="view-overview">
      <div class="flex-1 overflow-auto p-5 flex flex-col gap-5">
        <div class="flex flex-wrap gap-3">
          <Stat label="Components up" value={upCount()} sub={`of ${status()?.components.length ?? 0}`} testid="stat-up" />
          <Stat label="Traces" value={c()?.traces.traceCount} sub={c() ? `${fmtNumber(c()!.traces.stored)} spans` : undefined} testid="stat-traces" />
          <Stat label="Log records" value={c()?.logs.stored} testid="stat-logs" />
          <Stat label="Metric series" value={c()?.metrics.seriesCount} sub={c() ? `${fmtNumber(c()!.metrics.stored)} points` : undefined} testid="stat-metrics" />
          <Show when={status()?.dashboard}>
            {(d) => (
              <div class="rounded-lg border border-line bg-panel px-4 py-3 text-xs text-muted flex flex-col justify-center gap-1">
                <div>
                  OTLP gRPC <span class="mono text-fg">:{d().grpcPort}</span> · HTTP <span class="mono text-fg">:{d().httpPort}</span>
                </div>
                <div class="mono text-faint truncate">{status()?.project.configPath}</div>
              </div>
            )}
          </Show>
          <For each={c()?.forward ?? []}>
            {(f) => (
              <div class="rounded-lg border border-line bg-panel px-4 py-3 text-xs text-muted flex flex-col justify-center gap-1" data-testid="stat-forward">
                <div>
                  Forwarding to <span class="mono text-fg">{f.endpoint}</span>
                </div>
                <div class="mono">
                  <span class="text-fg">{fmtNumber(f.sent)}</span> sent · <span classList={{ "text-err": f.failed > 0 }}>{fmtNumber(f.failed)} failed</span> ·{" "}
                  <span classList={{ "text-err": f.dropped > 0 }}>{fmtNumber(f.dropped)} dropped</span> · {fmtNumber(f.queued)} queued
                </div>
                <Show when={f.lastError}>
                  <div class="text-faint truncate" title={f.lastError}>
                    last error{f.lastErrorAt ? ` (${fmtTime(f.lastErrorAt)})` : ""}: {f.lastError}
                  </div>
                </Show>
              </div>
            )}
          </For>
        </div>
        <Show when={status()} fallback={<div class="text-muted text-xs">Connecting to devrig…</div>}>
          <Show when={groups().length} fallback={<div class="text-muted text-xs">No components in this project.</div>}>
            <For each={groups()}>
              {(g) => (
                <div class="rounded-lg border border-line bg-panel overflow-hidden" data-testid={`group-${g.title.toLowerCase()}`}>
                  <table class="w-full text-[13px]" onKeyDown={onTableKey}>
                    <thead>
                      <tr>
                        <th class="th">{g.title}</th>
                        <th class="th">State</th>
                        <th class="th">Uptime</th>
                        <th class="th">Ports / URLs</th>
                        <th class="th">
                          <span class="flex justify-between">
                            <span>Last 15 min</span>
                            <span class="normal-case tracking-normal">now</span>
                          </span>
                        </th>
                        <th class="th text-right">Restarts</th>
                        <th class="th text-right">PID</th>
                        <th class="th" />
                      </tr>
                    </thead>
                    <tbody>
                      <For each={g.items}>{(item) => <Row c={item} />}</For>
                    </tbody>
                  </table>
                </div>
              )}
            </For>
          </Show>
        </Show>
      </div>
    </Page>
  )
}
