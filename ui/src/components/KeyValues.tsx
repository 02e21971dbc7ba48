import { For, type JSX, Show } from "solid-js"
import type { Attributes } from "../../../src/server/api-types.ts"
import { fmtValue } from "../lib/format.ts"

export function Section(props: { title: string; count?: number; children: JSX.Element; testid?: string }) {
  return (
    <section class="border-t border-line px-4 py-3" data-testid={props.testid}>
      <h3 class="text-[11px] font-medium uppercase tracking-wide text-faint mb-2">
        {props.title}
        <Show when={props.count !== undefined}>
          <span class="ml-1.5 mono normal-case">{props.count}</span>
        </Show>
      </h3>
      {props.children}
    </section>
  )
}

export function KeyValues(props: { attrs: Attributes | [string, string][]; testid?: string }) {
  const entries = (): [string, string][] =>
    Array.isArray(props.attrs) ? props.attrs : Object.entries(props.attrs).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, fmtValue(v)])
  return (
    <Show when={entries().length} fallback={<div class="text-xs text-faint">none</div>}>
      <dl class="grid grid-cols-[minmax(110px,auto)_1fr] gap-x-4 gap-y-1 text-xs" data-testid={props.testid}>
        <For each={entries()}>
          {([k, v]) => (
            <>
              <dt class="mono text-muted truncate" title={k}>
                {k}
              </dt>
              <dd class="mono text-fg break-all whitespace-pre-wrap">{v}</dd>
            </>
          )}
        </For>
      </dl>
    </Show>
  )
}
