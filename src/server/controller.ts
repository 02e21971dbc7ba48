/**
 * What the REST API needs from the supervisor. The supervisor implements it; the server only
 * programs against this interface (tests use a fake).
 */
import type { Action, ComponentStatus, StatusSnapshot } from "../status.ts"

export type StatusEvent = { type: "status"; component: ComponentStatus }

export interface Controller {
  status(): StatusSnapshot
  /** masked values already; one service's vars, or service → vars for all */
  env(service?: string): Record<string, string> | Record<string, Record<string, string>>
  /** throws InputError for unknown names */
  action(name: string, action: Action): Promise<void>
  config(): { path: string; source: string; problems: { line: number; column: number; message: string }[] }
  subscribe(listener: (event: StatusEvent) => void): () => void
}

/** Serves the dashboard for GET requests outside /api; undefined means "not mine" (→ 404). */
export type UiHandler = (req: Request) => Response | undefined | Promise<Response | undefined>
