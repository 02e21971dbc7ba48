/**
 * The config editor: devrig.toml with line numbers, colours and inline validation by the same
 * checks as `devrig validate` (POST /api/config/validate, 250 ms after typing stops). Save
 * (Ctrl/Cmd+S) writes the file (PUT /api/config); the running devrig applies it through hot
 * reload, and the status events that follow say what restarted.
 */
import { batch, createEffect, createSignal, For, on, onCleanup, onMount, Show } from "solid-js"
import type { ConfigProblem, ConfigResponse } from "../../../src/server/api-types.ts"
import type { ComponentStatus } from "../../../src/status.ts"
import { CodeEditor, type EditorApi } from "../components/CodeEditor.tsx"
import { IconAlert } from "../components/icons.tsx"
import { Page } from "../components/Page.tsx"
import { toast } from "../components/Toast.tsx"
import { api, get, urls } from "../lib/api.ts"
import { live } from "../lib/live.ts"

// The draft outlives the view: leaving for the logs and coming back keeps unsaved edits.
const [draft, setDraft] = createSignal<string>()
const [baseline, setBaseline] = createSignal("")
const [revision, setRevision] = createSignal<string>()
const dirty = () => draft() !== undefined && draft() !== baseline()

window.addEventListener("beforeunload", (e) => {
  if (dirty()) e.preventDefault()
})

const VALIDATE_MS = 250
const SETTLING = new Set(["pending", "starting", "restarting", "stopping"])

/**
 * After a save, watches the status events the hot reload causes and sums them up in one toast:
 * "saved — api restarted". Done once nothing is in transition for a moment (or after 20 s).
 */
function reportReload(before: ComponentStatus[]) {
  const t0 = Date.now()
  const old = new Map(before.map((c) => [c.name, c]))
  let lastChange = t0
  let sig = ""
  const id = setInterval(() => {
    const now = live().status?.components ?? []
    const restarted: string[] = []
    const started: string[] = []
    const stopped: string[] = []
    for (const c of now) {
      const o = old.get(c.name)
      if (!o) started.push(c.name)
      else if ((c.pid && o.pid && c.pid !== o.pid) || (c.startedAt && o.startedAt && c.startedAt !== o.startedAt)) restarted.push(c.name)
      else if (c.state === "stopped" && o.state !== "stopped") stopped.push(c.name)
    }
    for (const n of old.keys()) if (!now.some((c) => c.name === n)) stopped.push(n)
    const s = JSON.stringify([restarted, started, stopped, now.map((c) => c.state)])
    if (s !== sig) (sig = s), (lastChange = Date.now())
    const settled = !now.some((c) => SETTLING.has(c.state)) && Date.now() - lastChange > 700 && Date.now() - t0 > 1500
    if (!settled && Date.now() - t0 < 20_000) return
    clearInterval(id)
    const parts = [restarted.length && `${restarted.join(", ")} restarted`, started.length && `${started.join(", ")} started`, stopped.length && `${stopped.join(", ")} stopped`].filter(Boolean)
    toast(`saved — ${parts.length ? parts.join("; ") : "nothing needed a restart"}`, "ok")
  }, 150)
}

export function ConfigView() {
  let editor: EditorApi | undefined
  const [path, setPath] = createSignal("")
  const [problems, setProblems] = createSignal<ConfigProblem[]>([])
  const [checking, setChecking] = createSignal(false)
  const [saving, setSaving] = createSignal(false)
  const [refused, setRefused] = createSignal(false)
  /** the file changed on disk while there were unsaved edits: its revision */
  const [conflict, setConflict] = createSignal<string>()
  const [error, setError] = createSignal<string>()

  const adopt = (c: ConfigResponse) =>
    batch(() => {
      setDraft(c.source)
      setBaseline(c.source)
      setRevision(c.revision)
      setProblems(c.problems)
      setConflict(undefined)
      setRefused(false)
    })
  /** Loads the file; an outside edit replaces a clean buffer and is flagged over a dirty one. */
  const load = async (force = false) => {
    try {
      const c = await get<ConfigResponse>(urls.config())
      setPath(c.path)
      setError(undefined)
      if (force || draft() === undefined || (!dirty() && c.source !== draft())) adopt(c)
      else if (dirty() && c.revision && c.revision !== revision()) setConflict(c.revision)
    } catch (e) {
      setError((e as Error).message)
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined
  let inflight: AbortController | undefined
  const validate = (text: string) => {
    inflight?.abort()
    const ac = (inflight = new AbortController())
    setChecking(true)
    api
      .validateConfig(text, ac.signal)
      .then((p) => draft() === text && setProblems(p))
      .catch(() => {})
      .finally(() => inflight === ac && setChecking(false))
  }
  createEffect(
    on(
      draft,
      (text) => {
        clearTimeout(timer)
        if (text === undefined) return
        setRefused(false)
        timer = setTimeout(() => validate(text), VALIDATE_MS)
      },
      { defer: true },
    ),
  )

  const revert = () => {
    batch(() => (setDraft(baseline()), setRefused(false)))
    void load()
  }

  const save = async (force = false) => {
    const text = draft()
    const base = revision()
    if (text === undefined || base === undefined || saving()) return
    if (!dirty() && !force) return toast("no changes to save", "ok")
    clearTimeout(timer)
    setSaving(true)
    const before = live().status?.components ?? []
    try {
      const r = await api.saveConfig(text, { base, force })
      if (r.kind === "invalid") {
        batch(() => (setProblems(r.problems), setRefused(true)))
        toast(`not saved — ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"} in devrig.toml`)
      } else if (r.kind === "conflict") {
        setConflict(r.revision)
        toast("not saved — devrig.toml changed on disk")
      } else {
        batch(() => {
          setBaseline(text)
          setRevision(r.revision)
          setProblems(r.problems)
          setConflict(undefined)
          setRefused(false)
        })
        if (!r.changed) toast("saved — the file already had these contents", "ok")
        else if (r.problems.length) toast("saved with problems — devrig keeps running the previous config until they are fixed")
        else reportReload(before)
      }
    } catch (e) {
      toast(`save failed: ${(e as Error).message}`)
    } finally {
      setSaving(false)
    }
  }

  /** Overwrite the disk version the conflict banner reported — that one, not a later one. */
  const overwrite = () => {
    const disk = conflict()
    if (!disk) return
    batch(() => (setRevision(disk), setConflict(undefined)))
    void save()
  }

  onMount(() => {
    void load()
    if (draft() !== undefined) validate(draft()!)
    const poll = setInterval(() => document.visibilityState === "visible" && load(), 4000)
    const onFocus = () => void load()
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "s" && !e.defaultPrevented) {
        e.preventDefault()
        void save()
      }
    }
    window.addEventListener("focus", onFocus)
    document.addEventListener("keydown", onKey)
    onCleanup(() => {
      clearInterval(poll)
      clearTimeout(timer)
      inflight?.abort()
      window.removeEventListener("focus", onFocus)
      document.removeEventListener("keydown", onKey)
    })
  })

  const count = () => problems().length
  const isMac = navigator.platform.toLowerCase().includes("mac")

  return (
    <Page
      title="Config"
      testid="view-config"
      actions={
        <>
          <span class="mono text-xs text-muted truncate max-w-[40vw]" data-testid="config-path" title={path()}>
            {path()}
          </span>
          <Show when={dirty()}>
            <span class="chip border-warn/40 text-warn" data-testid="config-dirty">
              ● unsaved
            </span>
          </Show>
          <span
            class="chip"
            classList={{ "border-err/40 text-err": count() > 0, "border-ok/40 text-ok": count() === 0 && !checking() }}
            data-testid="config-validity"
            data-state={checking() ? "checking" : count() ? "invalid" : "valid"}
          >
            {checking() ? "checking…" : count() ? `${count()} problem${count() > 1 ? "s" : ""}` : "✓ valid"}
          </span>
          <button class="btn" disabled={!dirty() || saving()} onClick={revert} data-testid="config-revert" title="Discard the unsaved changes">
            Revert
          </button>
          <button class="btn bg-accent! border-accent! text-accent-fg! hover:opacity-90" disabled={!dirty() || saving()} onClick={() => save()} data-testid="config-save" title="Save and apply (hot reload)">
            {saving() ? "Saving…" : "Save"}
            <span class="text-[10px] opacity-75 font-mono">{isMac ? "⌘S" : "Ctrl+S"}</span>
          </button>
        </>
      }
    >
      <Show when={conflict()}>
        <div class="flex items-center gap-3 px-5 py-2 border-b border-warn/40 bg-warn/10 text-xs" data-testid="config-conflict">
          <IconAlert class="size-4 text-warn" />
          <span>devrig.toml changed on disk since you opened it.</span>
          <button class="btn" onClick={() => load(true)} data-testid="config-load-disk">
            Load the disk version
          </button>
          <button class="btn" onClick={overwrite} data-testid="config-overwrite">
            Overwrite it
          </button>
        </div>
      </Show>
      <Show when={draft() !== undefined} fallback={<div class="p-5 text-xs text-muted">{error() ?? ""}</div>}>
        <CodeEditor value={draft()!} onInput={setDraft} problems={problems()} onSave={() => save()} ref={(a) => (editor = a)} label="devrig.toml" />
      </Show>
      <div class="shrink-0 border-t border-line bg-bg max-h-48 flex flex-col" data-testid="config-problems" data-count={count()}>
        <div class="flex items-center gap-2 h-8 px-5 text-[11px] uppercase tracking-wide text-faint shrink-0">
          Problems
          <span class="chip normal-case tracking-normal" classList={{ "border-err/40 text-err": count() > 0 }}>
            {count()}
          </span>
          <Show when={refused()}>
            <span class="normal-case tracking-normal text-err text-xs" data-testid="config-refused">
              Not saved: devrig keeps running the previous config. Fix these, or
            </span>
            <button class="btn-ghost normal-case tracking-normal text-err" onClick={() => save(true)} data-testid="config-force">
              save anyway
            </button>
          </Show>
          <span class="ml-auto normal-case tracking-normal">validated as you type, like devrig validate</span>
        </div>
        <ul class="overflow-auto pb-2">
          <For each={problems()} fallback={<li class="px-5 pb-1 text-xs text-muted">No problems. Saving applies the changes to the running services.</li>}>
            {(p) => (
              <li>
                <button class="w-full flex items-baseline gap-3 px-5 py-0.5 text-left text-xs hover:bg-hover cursor-pointer" onClick={() => editor?.reveal(p.line, p.column)} data-testid="config-problem" data-line={p.line} data-column={p.column}>
                  <IconAlert class="size-3.5 text-err shrink-0 self-center" />
                  <span class="mono text-err w-14 shrink-0">
                    {p.line}:{p.column}
                  </span>
                  <span class="text-fg">{p.message}</span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </div>
    </Page>
  )
}
