// docker-modem ships no types; this declares only the surface src/docker/client.ts uses.
declare module "docker-modem" {
  import type { Duplex, Readable } from "node:stream"

  export interface DialOptions {
    path: string
    method: string
    options?: { _query?: Record<string, unknown>; _body?: unknown } | Record<string, unknown>
    headers?: Record<string, string>
    file?: Uint8Array | Readable
    authconfig?: Record<string, unknown>
    isStream?: boolean
    hijack?: boolean
    openStdin?: boolean
    abortSignal?: AbortSignal
    statusCodes: Record<number, boolean | string>
  }

  export interface ModemOptions {
    socketPath?: string
    host?: string
    port?: string | number
    protocol?: "http" | "https"
    timeout?: number
  }

  export interface DialError extends Error {
    statusCode?: number
    json?: unknown
    code?: string
  }

  export default class Modem {
    constructor(opts?: ModemOptions)
    dial(opts: DialOptions, cb: (err: DialError | null, result: unknown) => void): void
    demuxStream(stream: Readable | Duplex, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void
  }
}
