/** The one live store: WebSocket events folded through the pure reducer into a Solid signal. */
import { batch, createEffect, createMemo, createSignal, on, onCleanup } from "solid-js"
import type { StatusResponse, WsEvent } from "../../../src/server/api-types.ts"
import { cached, get } from "./api.ts"
import { serviceColor } from "./colors.ts"
import { initialState, type LiveEvent, type LiveState, reduce } from "./reducer.ts"

const [live, setLive] = createSignal<LiveState>(initialState())
export { live }

export const dispatch = (ev: LiveEvent) => {
  // Claim colours in a stable order (sorted names) before any view asks for one.
  if (ev.type === "hello" || ev.type === "snapshot") ev.status.components.map((c) => c.name).sort().forEach(serviceColor)
  setLive((s) => reduce(s, ev))
}

let started = false
export function connectLive() {
  if (started) return
  started = true
  get<StatusResponse>("/api/status")
    .then((status) => dispatch({ type: "snapshot", status }))
    .catch(() => {})
  let delay = 250
  const open = () => {
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/ws`)
    ws.onopen = () => {
      delay = 250
      dispatch({ type: "ws.open" })
    }
    ws.onmessage = (m) => {
      try {
        const ev = JSON.parse(String(m.data)) as WsEvent | WsEvent[]
        batch(() => (Array.isArray(ev) ? ev.forEach(dispatch) : dispatch(ev)))
      } catch {}
    }
    ws.onclose = () => {
      dispatch({ type: "ws.close" })
      setTimeout(open, delay)
      delay = Math.min(delay * 2, 5000)
    }
  }
  open()
}

/**
 * A GET that renders from cache at once and refreshes in the background. The previous data stays
 * on screen while a new key loads, so filters never flash an empty table or a spinner.
 */
export function useQuery<T>(url: () => string | null | undefined, refetchOn?: () => unknown) {
  const [data, setData] = createSignal<T | undefined>()
  const [error, setError] = createSignal<string>()
  const [loading, setLoading] = createSignal(false)
  let seq = 0
  /** the newest request whose answer is on screen */
  let shown = 0
  const key = createMemo(url)
  const load = (u: string) => {
    const mine = ++seq
    setLoading(true)
    get<T>(u)
      .then((d) => {
        // An older answer for the same URL is still newer than what is shown (a refetch must
        // not throw away the page's prefetched first answer); it only loses to a newer one.
        if (mine <= shown || key() !== u) return
        shown = mine
        batch(() => (setData(() => d), setError(undefined)))
      })
      .catch((e: Error) => mine === seq && setError(e.message))
      .finally(() => mine === seq && setLoading(false))
  }
  // Memos, so that only a change of their value refetches: every live update (counters, logs,
  // status) notifies live(), and most change neither the epoch nor what refetchOn reads.
  const epoch = createMemo(() => live().epoch)
  const extra = createMemo(refetchOn ?? (() => 0))
  createEffect(
    on([key, epoch, extra], ([u]) => {
      if (!u) return setData(undefined)
      const c = cached<T>(u)
      if (c !== undefined) setData(() => c)
      load(u)
    }),
  )
  return { data, error, loading, refetch: () => url() && load(url()!) }
}

/** A clock for uptimes and "ago" labels; one interval shared by everyone. */
const [now, setNow] = createSignal(Date.now())
setInterval(() => setNow(Date.now()), 1000)
export { now }

export function useInterval(fn: () => void, ms: number) {
  const id = setInterval(fn, ms)
  onCleanup(() => clearInterval(id))
}
