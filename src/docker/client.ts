/**
 * The one connection to the Docker Engine. Everything in src/docker/ goes through `request()` or
 * `openStream()`, so every engine failure becomes an ExternalError that says what devrig was doing
 * and what the engine answered, and "the engine is not there" is recognised in one place.
 */
import Modem, { type DialError, type DialOptions, type ModemOptions } from "docker-modem"
import type { Duplex, Readable } from "node:stream"
import { readFileSync } from "node:fs"
import { ExternalError } from "../errors.ts"
import { DEFAULT_SOCKET, resolveEndpoint, type ResolvedEndpoint } from "./endpoint.ts"
const NOT_RUNNING_HINT = "Start Docker Desktop or the docker service (sudo systemctl start docker), then retry"

/** An engine answer with a non-success status. `status` lets callers treat 404/304/409 as data. */
export class DockerEngineError extends ExternalError {
  constructor(
    message: string,
    readonly status: number,
    readonly engineMessage: string,
    opts: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, opts)
  }
}

/** The engine could not be reached at all. */
export class DockerUnavailableError extends ExternalError {}

interface Endpoint {
  options: ModemOptions
  /** what the "not running" message names */
  address: string
  /** why devrig uses this endpoint (see endpoint.ts) */
  source: string
}

/**
 * The resolved endpoint (DOCKER_HOST, context, well-known socket) → modem options. Explicit so
 * docker-modem never reads the environment itself.
 */
export function endpoint(resolved: ResolvedEndpoint | string = resolveEndpoint()): Endpoint {
  const ep = typeof resolved === "string" ? { host: resolved, source: "DOCKER_HOST" } : resolved
  const host = ep.host
  if (host.startsWith("unix://")) {
    const socketPath = host.slice("unix://".length) || DEFAULT_SOCKET
    return { options: { socketPath, host: undefined }, address: socketPath, source: ep.source }
  }
  if (host.startsWith("tcp://") || host.startsWith("http://") || host.startsWith("https://")) {
    const url = new URL(host.replace(/^tcp:/, "http:"))
    const tls = url.protocol === "https:" || url.port === "2376" || !!ep.tls
    const options: ModemOptions = { host: url.hostname, port: url.port || (tls ? "2376" : "2375"), protocol: tls ? "https" : "http", socketPath: undefined }
    const pem = (f: string | undefined) => (f ? readFileSync(f) : undefined)
    if (ep.tls) Object.assign(options, { ca: pem(ep.tls.ca), cert: pem(ep.tls.cert), key: pem(ep.tls.key) })
    return { options, address: host, source: ep.source }
  }
  throw new DockerUnavailableError(`Unsupported Docker endpoint ${JSON.stringify(host)} (from ${ep.source})`, {
    hint: "devrig talks to Docker over unix:///path/to/docker.sock or tcp://host:port",
  })
}

let _cache: { key: string; modem: Modem; address: string } | undefined

/** The modem for the current endpoint (re-created if it changes, e.g. between tests). */
function _modem(): { modem: Modem; address: string } {
  const resolved = resolveEndpoint()
  const key = JSON.stringify(resolved)
  if (!_cache || _cache.key !== key) {
    const ep = endpoint(resolved)
    _cache = { key, modem: new Modem(ep.options), address: ep.address }
  }
  return _cache
}

export interface RequestOptions {
  method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD"
  /** engine path, e.g. `/containers/create` (no version prefix, no query string) */
  path: string
  query?: Record<string, string | number | boolean | undefined | Record<string, unknown>>
  body?: unknown
  /** what devrig was doing, for the error message: "creating container devrig-x-postgres" */
  doing: string
  /** success statuses (default: every 2xx the engine documents) */
  ok?: number[]
  signal?: AbortSignal
}

const SUCCESS = [200, 201, 204]

function _dialOptions(o: RequestOptions, extra: Partial<DialOptions>): DialOptions {
  const query: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) query[k] = v
  const statusCodes: Record<number, boolean> = {}
  for (const s of o.ok ?? SUCCESS) statusCodes[s] = true
  return {
    // docker-modem appends the query string only when the path contains "?".
    path: `${o.path}?`,
    method: o.method,
    // Without `_body`, docker-modem would send the whole options object as a POST body.
    options: { _query: query, _body: o.body ?? {} },
    statusCodes,
    abortSignal: o.signal,
    ...extra,
  }
}

function _dial<T>(o: RequestOptions, extra: Partial<DialOptions>): Promise<T> {
  const { modem, address } = _modem()
  return new Promise<T>((resolve, reject) => {
    modem.dial(_dialOptions(o, extra), (err, result) => {
      if (err) reject(toDevrigError(err, o.doing, address))
      else resolve(result as T)
    })
  })
}

/** A JSON request. Resolves with the parsed body (or a Buffer when the body is not JSON). */
export function request<T = unknown>(o: RequestOptions): Promise<T> {
  return _dial<T>(o, {})
}

/** A request whose response body is a stream (logs, pull progress, events). */
export function openStream(o: RequestOptions): Promise<Readable> {
  return _dial<Readable>(o, { isStream: true })
}

/** A hijacked connection (exec attach): the socket carries stdin one way and output the other. */
export function openHijacked(o: RequestOptions, stdin: boolean): Promise<Duplex> {
  return _dial<Duplex>(o, { isStream: true, hijack: true, openStdin: stdin })
}

/** Fails with the "Docker is not running" error when the engine cannot be reached. */
export async function ping(): Promise<void> {
  await request({ method: "GET", path: "/_ping", doing: "checking that Docker is running" })
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "ECONNRESET", "EHOSTUNREACH", "ENOTFOUND", "ETIMEDOUT", "EPIPE"])

/** Engine and transport errors → devrig errors. Exported for the unit tests. */
export function toDevrigError(err: DialError, doing: string, address: string): ExternalError {
  if (err.statusCode !== undefined) {
    const message = _engineMessage(err)
    return new DockerEngineError(`Docker failed while ${doing}: ${message}`, err.statusCode, message, { cause: err })
  }
  if (err.code === "EACCES") {
    return new DockerUnavailableError(`Permission denied on ${address}`, {
      hint: "Add your user to the docker group (sudo usermod -aG docker $USER) and log in again",
      cause: err,
    })
  }
  if (err.code && UNREACHABLE.has(err.code)) {
    return new DockerUnavailableError(`Docker is not running (cannot reach ${address})`, { hint: NOT_RUNNING_HINT, cause: err })
  }
  if (err.name === "AbortError") return new ExternalError(`Docker request aborted while ${doing}`, { cause: err })
  return new ExternalError(`Docker failed while ${doing}: ${err.message}`, { cause: err })
}

function _engineMessage(err: DialError): string {
  const json = err.json as { message?: unknown } | Buffer | string | undefined
  if (json && typeof json === "object" && !Buffer.isBuffer(json) && typeof json.message === "string") return json.message
  if (Buffer.isBuffer(json) && json.length) return json.toString("utf8").trim()
  if (typeof json === "string" && json) return json.trim()
  // docker-modem's own text: "(HTTP code 404) no such container - <engine message> "
  return err.message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, "").trim()
}

/** True when `e` is the engine saying "no such …". */
export function isNotFound(e: unknown): boolean {
  return e instanceof DockerEngineError && e.status === 404
}
