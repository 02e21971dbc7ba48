/**
 * devrig's error contract. Every failure that reaches the user is one of these classes;
 * `main.ts` prints `message` (plus `hint`) and exits with `exitCode`.
 *   1 — invalid input (config, arguments, unknown names)
 *   2 — an external tool failed (Docker, Compose, k3d, kubectl, a service that cannot start)
 *   3 — internal error (a broken invariant inside devrig)
 */
export type ExitCode = 0 | 1 | 2 | 3

export abstract class DevrigError extends Error {
  abstract readonly exitCode: ExitCode
  readonly hint?: string
  /** Extra lines printed under the message (e.g. every validation problem). */
  readonly details: string[]

  constructor(message: string, opts: { hint?: string; details?: string[]; cause?: unknown } = {}) {
    super(message, { cause: opts.cause })
    this.name = new.target.name
    this.hint = opts.hint
    this.details = opts.details ?? []
  }
}

/** Exit 1: the user's input (config, flags, names) is wrong. */
export class InputError extends DevrigError {
  readonly exitCode = 1 as const
}

/** Exit 2: something outside devrig failed (Docker, Compose, k3d, kubectl, a child process). */
export class ExternalError extends DevrigError {
  readonly exitCode = 2 as const
}

/** Exit 3: devrig broke one of its own invariants. */
export class InternalError extends DevrigError {
  readonly exitCode = 3 as const
}

export function isDevrigError(e: unknown): e is DevrigError {
  return e instanceof DevrigError
}
