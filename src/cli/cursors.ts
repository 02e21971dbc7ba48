/**
 * Change cursors: `--since <duration|time>`, `--since-restart <svc>` and `--since-reload` turn
 * into one start time, so "errors since my last edit" is one command. Restart and reload times
 * come from .devrig/state.json, where the supervisor records them.
 */
import type { ArgsDef } from "citty"
import { parseDuration } from "../duration.ts"
import { parseTimestamp } from "../query/parse.ts"
import { InputError } from "../errors.ts"
import { readState } from "../project/state.ts"

export const CURSOR_ARGS = {
  since: { type: "string", description: "Only what is newer than this: a duration (5m) or an ISO 8601 time", valueHint: "duration|time" },
  "since-restart": { type: "string", description: "Only what came after this service last (re)started", valueHint: "service" },
  "since-reload": { type: "boolean", description: "Only what came after devrig.toml was last reloaded" },
} as const satisfies ArgsDef

export interface CursorArgs {
  since?: string
  "since-restart"?: string
  "since-reload"?: boolean
}

/** The latest of the requested cursors, in ms since the epoch (undefined when none was asked). */
export function cursorMs(root: string, args: CursorArgs): number | undefined {
  const times: number[] = []
  if (args.since) {
    times.push(/^\d{4}-\d\d-\d\d|^\d{10,16}$/.test(args.since) ? parseTimestamp(args.since, "--since") : Date.now() - parseDuration(args.since, "--since"))
  }
  const cursors = readState(root).cursors
  const svc = args["since-restart"]
  if (svc) {
    const t = cursors?.start[svc]
    if (!t) throw new InputError(`${svc} has not started in this project yet`, { hint: "Known restarts: " + (Object.keys(cursors?.start ?? {}).join(", ") || "none") })
    times.push(Date.parse(t))
  }
  if (args["since-reload"]) {
    if (!cursors?.reload) throw new InputError("devrig.toml has not been reloaded since devrig started")
    times.push(Date.parse(cursors.reload))
  }
  return times.length ? Math.max(...times) : undefined
}
