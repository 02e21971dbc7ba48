/** uPlot wrapper: themed axes, resize-aware, a marker line for `?at=`, and point clicks. */
import { createEffect, createSignal, For, on, onCleanup, onMount } from "solid-js"
import uPlot from "uplot"
import "uplot/dist/uPlot.min.css"
import { fmtNumber, fmtTime } from "../lib/format.ts"
import { type DevrigEvent, eventStyle } from "../lib/events.ts"
import { theme } from "../lib/theme.ts"
import { type Cluster, cluster, EventTick } from "./EventMarks.tsx"

export interface ChartSeries {
  label: string
  color: string
  dash?: number[]
}

export interface ChartProps {
  xs: number[]
  ys: (number | null)[][]
  series: ChartSeries[]
  unit?: string
  /** unix seconds: a vertical marker (the `at` of a jump) */
  marker?: number
  bars?: boolean
  /** devrig lifecycle events: a vertical line each, with a flag to hover for details */
  events?: DevrigEvent[]
  xLabels?: string[]
  height?: number
  onPick?: (p: { x: number; index: number; seriesIndex: number | null; clientX: number; clientY: number }) => void
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

export function Chart(props: ChartProps) {
  let el!: HTMLDivElement
  let plot: uPlot | undefined
  const [flags, setFlags] = createSignal<{ left: number; top: number; c: Cluster }[]>([])

  /** Lines on the canvas; flags (DOM, hoverable) at the top of the plot area. */
  const drawEvents = (u: uPlot) => {
    const shown: DevrigEvent[] = []
    const ctx = u.ctx
    ctx.save()
    ctx.lineWidth = 1.25 * devicePixelRatio
    ctx.globalAlpha = 0.7
    for (const ev of props.bars ? [] : (props.events ?? [])) {
      const x = u.valToPos(ev.t / 1000, "x", true)
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue
      ctx.strokeStyle = css(eventStyle(ev.kind).color)
      ctx.beginPath()
      ctx.moveTo(x, u.bbox.top)
      ctx.lineTo(x, u.bbox.top + u.bbox.height)
      ctx.stroke()
      shown.push(ev)
    }
    ctx.restore()
    setFlags(cluster(shown, (ev) => u.valToPos(ev.t / 1000, "x")).map((c) => ({ left: u.over.offsetLeft + c.x, top: u.over.offsetTop, c })))
  }

  const build = () => {
    plot?.destroy()
    const grid = { stroke: css("--line"), width: 1 }
    const axis = { stroke: css("--muted"), grid, ticks: { stroke: css("--line"), width: 1 }, font: "11px ui-monospace, monospace" }
    const opts: uPlot.Options = {
      width: el.clientWidth || 800,
      height: props.height ?? 320,
      padding: [12, 12, 0, 4],
      legend: { show: false },
      cursor: { points: { size: 7 }, drag: { x: false, y: false }, focus: { prox: 24 } },
      focus: { alpha: 0.35 },
      scales: {
        x: props.bars
          ? { time: false }
          : {
              time: true,
              // widen the axis to the events in view, so a crash before the first point still shows
              range: (_u, min, max) => {
                const ev = props.events ?? []
                if (ev.length) (min = Math.min(min ?? Infinity, ev[0]!.t / 1000)), (max = Math.max(max ?? -Infinity, ev[ev.length - 1]!.t / 1000))
                return min === max ? [min - 30, max + 30] : [min, max]
              },
            },
      },
      axes: [
        props.bars ? { ...axis, values: (_u, vals) => vals.map((v) => props.xLabels?.[v] ?? "") } : { ...axis, values: (u, vals) => vals.map((v) => (v == null ? "" : fmtTime(v * 1000).slice(0, (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0) < 10 ? 12 : 8))) },
        { ...axis, size: 56, values: (_u, vals) => vals.map((v) => (v == null ? "" : fmtNumber(v) + (props.unit && props.unit !== "1" ? ` ${props.unit}` : ""))) },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.6,
          dash: s.dash,
          spanGaps: true,
          points: { show: props.xs.length < 60 && !props.bars, size: 4, fill: s.color },
          ...(props.bars ? { fill: `${s.color}99`, paths: uPlot.paths.bars!({ size: [0.7, 60] }) } : {}),
        })),
      ],
      hooks: {
        draw: [
          drawEvents,
          (u) => {
            if (props.marker === undefined) return
            const x = u.valToPos(props.marker, "x", true)
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return
            const ctx = u.ctx
            ctx.save()
            ctx.strokeStyle = css("--accent")
            ctx.setLineDash([4, 3])
            ctx.lineWidth = 1.5 * devicePixelRatio
            ctx.beginPath()
            ctx.moveTo(x, u.bbox.top)
            ctx.lineTo(x, u.bbox.top + u.bbox.height)
            ctx.stroke()
            ctx.restore()
          },
        ],
      },
    }
    plot = new uPlot(opts, [props.xs, ...props.ys] as uPlot.AlignedData, el)
    plot.over.addEventListener("click", (e) => {
      const u = plot!
      const idx = u.cursor.idx
      if (idx == null || !props.onPick) return
      const y = u.posToVal(u.cursor.top ?? 0, "y")
      let best: number | null = null
      props.ys.forEach((col, i) => {
        const v = col[idx]
        if (v != null && (best === null || Math.abs(v - y) < Math.abs(props.ys[best]![idx]! - y))) best = i
      })
      props.onPick({ x: props.xs[idx]!, index: idx, seriesIndex: best, clientX: e.clientX, clientY: e.clientY })
    })
  }

  onMount(() => {
    build()
    const ro = new ResizeObserver(() => plot?.setSize({ width: el.clientWidth, height: props.height ?? 320 }))
    ro.observe(el)
    onCleanup(() => (ro.disconnect(), plot?.destroy()))
  })
  // Series shape or theme changed → rebuild; only data changed → setData (no flicker).
  createEffect(on([() => props.series.map((s) => s.label + s.color).join("|"), theme, () => props.bars, () => props.marker], build, { defer: true }))
  createEffect(on([() => props.xs, () => props.ys], () => plot?.setData([props.xs, ...props.ys] as uPlot.AlignedData), { defer: true }))
  createEffect(on(() => props.events, () => plot?.setData([props.xs, ...props.ys] as uPlot.AlignedData), { defer: true }))

  return (
    <div class="relative w-full">
      <div ref={el} class="w-full" data-testid="chart" />
      <For each={flags()}>
        {(f) => (
          <div class="absolute h-3.5 w-px" style={{ left: `${f.left}px`, top: `${f.top}px` }} data-testid="chart-event">
            <EventTick evs={f.c.evs} top={f.c.top} left="0" />
          </div>
        )}
      </For>
    </div>
  )
}
