import { createSignal, For, type JSX, onCleanup, Show } from "solid-js"
import { fmtTime } from "../lib/format.ts"
import { IconSearch, IconX } from "./icons.tsx"

export function FilterBar(props: { children: JSX.Element }) {
  return <div class="flex flex-wrap items-center gap-2 px-5 py-2 border-b border-line shrink-0">{props.children}</div>
}

export function Select(props: { value: string | undefined; options: (string | [string, string])[]; onChange: (v: string | undefined) => void; all: string; testid: string; label: string }) {
  return (
    <select
      class="input pr-6 max-w-48 cursor-pointer"
      aria-label={props.label}
      value={props.value ?? ""}
      onChange={(e) => props.onChange(e.currentTarget.value || undefined)}
      data-testid={props.testid}
    >
      <option value="" selected={!props.value}>
        {props.all}
      </option>
      <For each={props.options}>
        {(o) => {
          const [v, l] = Array.isArray(o) ? o : [o, o]
          return (
            <option value={v} selected={v === props.value}>
              {l}
            </option>
          )
        }}
      </For>
      {/* keep a deep-linked value selectable even before the live data knows it */}
      <Show when={props.value && !props.options.some((o) => (Array.isArray(o) ? o[0] : o) === props.value)}>
        <option value={props.value} selected>
          {props.value}
        </option>
      </Show>
    </select>
  )
}

/** A search box that reports after the user pauses typing. */
export function Search(props: { value: string | undefined; onChange: (v: string | undefined) => void; placeholder: string; testid: string; class?: string }) {
  let t: ReturnType<typeof setTimeout> | undefined
  const [local, setLocal] = createSignal(props.value ?? "")
  onCleanup(() => clearTimeout(t))
  return (
    <label class={`relative flex items-center ${props.class ?? "w-64"}`}>
      <IconSearch class="size-3.5 absolute left-2 text-faint pointer-events-none" />
      <input
        class="input w-full pl-7"
        placeholder={props.placeholder}
        value={local()}
        data-search
        data-testid={props.testid}
        onInput={(e) => {
          const v = e.currentTarget.value
          setLocal(v)
          clearTimeout(t)
          t = setTimeout(() => props.onChange(v || undefined), 200)
        }}
        onKeyDown={(e) => e.key === "Enter" && (clearTimeout(t), props.onChange(local() || undefined))}
      />
    </label>
  )
}

/** A removable chip for a filter that came from a jump (time window, trace id). */
export function Chip(props: { children: JSX.Element; onClear: () => void; testid: string }) {
  return (
    <span class="chip h-7 pl-2 pr-1 bg-accent/10 border-accent/30 text-fg" data-testid={props.testid}>
      {props.children}
      <button class="rounded p-0.5 hover:bg-hover cursor-pointer" onClick={props.onClear} aria-label="Clear filter">
        <IconX class="size-3" />
      </button>
    </span>
  )
}

export const windowLabel = (from?: string, to?: string) => `${from ? fmtTime(from) : "…"} → ${to ? fmtTime(to) : "now"}`
