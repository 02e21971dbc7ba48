/** A view's frame: a header bar (title, breadcrumbs, actions) and a body that fills the rest. */
import type { JSX } from "solid-js"
import { Crumbs } from "./Crumbs.tsx"

export function Page(props: { title: string; here?: string; actions?: JSX.Element; children: JSX.Element; testid: string }) {
  document.title = `${props.title} · devrig`
  return (
    <section class="flex flex-col flex-1 min-w-0 min-h-0" data-testid={props.testid}>
      <header class="flex items-center gap-4 h-12 px-5 border-b border-line shrink-0">
        <h1 class="text-[15px] font-semibold tracking-tight shrink-0">{props.title}</h1>
        <Crumbs here={props.here ?? props.title} />
        <div class="ml-auto flex items-center gap-2">{props.actions}</div>
      </header>
      <div class="flex flex-col flex-1 min-h-0">{props.children}</div>
    </section>
  )
}
