import type { ComponentState } from "../../../src/status.ts"
import { stateTone } from "../lib/colors.ts"

const TONE = { ok: "bg-ok", warn: "bg-warn", err: "bg-err", idle: "bg-faint", busy: "bg-info animate-pulse" }

export function StatusDot(props: { state: ComponentState; class?: string }) {
  const tone = () => stateTone(props.state)
  return (
    <span class={`relative inline-flex size-2 shrink-0 ${props.class ?? ""}`} data-testid="status-dot" data-state={props.state}>
      {tone() === "ok" && <span class="absolute inset-0 rounded-full bg-ok/40 animate-ping [animation-duration:2.5s]" />}
      <span class={`relative inline-flex size-2 rounded-full ${TONE[tone()]}`} />
    </span>
  )
}
