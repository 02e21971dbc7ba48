import { A } from "@solidjs/router"
import { For, Show } from "solid-js"
import { crumbs, setCrumbs } from "../lib/nav.ts"
import { IconChevron } from "./icons.tsx"

/** The trail of cross-telemetry jumps; Escape walks it backwards. */
export function Crumbs(props: { here: string }) {
  return (
    <Show when={crumbs().length}>
      <ol class="flex items-center gap-1 text-xs text-muted min-w-0" data-testid="breadcrumbs" aria-label="Breadcrumbs">
        <For each={crumbs()}>
          {(c, i) => (
            <li class="flex items-center gap-1 min-w-0">
              <A href={c.href} class="truncate max-w-52 hover:text-fg" onClick={() => setCrumbs((cs) => cs.slice(0, i()))}>
                {c.label}
              </A>
              <IconChevron class="size-3 text-faint shrink-0" />
            </li>
          )}
        </For>
        <li class="text-fg truncate">{props.here}</li>
      </ol>
    </Show>
  )
}
