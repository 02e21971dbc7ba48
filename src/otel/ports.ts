/**
 * Port binding with the PRD's rule: a default port that is taken moves to the next free one
 * (and says so); an explicitly configured port that is taken is the user's error.
 */
import { InputError } from "../errors.ts"

const FALLBACK_RANGE = 100

export interface Bound<T> {
  value: T
  port: number
  notice?: string
}

function inUse(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code
  return code === "EADDRINUSE" || code === "EACCES"
}

export async function bindPort<T>(opts: {
  label: string
  port: number
  explicit: boolean
  bind: (port: number) => Promise<{ value: T; port: number }>
}): Promise<Bound<T>> {
  const { label, port, explicit } = opts
  // port 0 asks the OS for any free port (tests)
  const last = explicit || port === 0 ? port : Math.min(65535, port + FALLBACK_RANGE)
  for (let p = port; p <= last; p++) {
    try {
      const bound = await opts.bind(p)
      return p === port ? bound : { ...bound, notice: `${label} port ${port} is in use; using ${bound.port} instead` }
    } catch (e) {
      if (!inUse(e)) throw e
      if (explicit) {
        throw new InputError(`${label} port ${port} is already in use`, {
          hint: `free port ${port} or choose another one in [dashboard] of devrig.toml`,
          cause: e,
        })
      }
    }
  }
  throw new InputError(`${label}: no free port in ${port}–${last}`)
}
