/**
 * Image build and push through the Docker Engine API (POST /build, POST /images/{name}/push),
 * for [cluster.deploy.*]. The build context is sent as a tar made by the system `tar`, which keeps
 * file modes (an entrypoint script stays executable) while devrig decides which files go in.
 *
 * client.ts's request()/openStream() take no request body stream, so this file dials its own
 * modem on client.ts's endpoint and maps failures with client.ts's toDevrigError.
 */
import Modem, { type DialError, type DialOptions } from "docker-modem"
import { readFileSync, readdirSync } from "node:fs"
import { join, relative } from "node:path"
import type { Readable } from "node:stream"
import { ExternalError, InputError } from "../errors.ts"
import { endpoint, toDevrigError } from "./client.ts"

export interface ProgressEvent {
  /** build output lines */
  stream?: string
  /** pull/push status ("Pushing", "Pushed", …) */
  status?: string
  progress?: string
  id?: string
  error?: string
  errorDetail?: { message?: string }
  aux?: unknown
}

export type OnProgress = (e: ProgressEvent) => void

let _cached: Modem | undefined
/** A modem on the same endpoint client.ts resolves (DOCKER_HOST via env.ts, never docker-modem's own lookup). */
function _modem(): Modem {
  _cached ??= new Modem(endpoint().options)
  return _cached
}

/** Always left out of a context: they are never build inputs and can be huge. */
const ALWAYS_IGNORED = [".git", ".devrig"]

/** Paths (relative to the context) that a .dockerignore-aware build sends. */
export function contextFiles(context: string): string[] {
  const rules = _ignoreRules(context)
  const out: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name)
      const rel = relative(context, abs)
      if (ALWAYS_IGNORED.includes(rel)) continue
      const ignored = _isIgnored(rel, rules)
      if (entry.isDirectory()) {
        // A negated rule may re-include something below an ignored directory: only then descend.
        if (!ignored || rules.some((r) => r.negate && r.glob.startsWith(`${rel}/`))) walk(abs)
      } else if (!ignored) out.push(rel)
    }
  }
  walk(context)
  return out.sort()
}

interface IgnoreRule {
  glob: string
  negate: boolean
  matcher: InstanceType<typeof Bun.Glob>
}

function _ignoreRules(context: string): IgnoreRule[] {
  let text = ""
  try {
    text = readFileSync(join(context, ".dockerignore"), "utf8")
  } catch {
    return []
  }
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!")
      const glob = (negate ? l.slice(1) : l).replace(/^\/+/, "").replace(/\/+$/, "")
      return { glob, negate, matcher: new Bun.Glob(glob) }
    })
}

/** Last matching rule wins; a rule matching a parent directory covers everything below it. */
function _isIgnored(rel: string, rules: IgnoreRule[]): boolean {
  let ignored = false
  const parts = rel.split("/")
  for (const r of rules) {
    for (let i = 1; i <= parts.length; i++) {
      if (r.matcher.match(parts.slice(0, i).join("/"))) {
        ignored = !r.negate
        break
      }
    }
  }
  return ignored
}

export async function contextTar(context: string): Promise<Uint8Array> {
  const files = contextFiles(context)
  const proc = Bun.spawn(["tar", "-c", "-C", context, "--no-recursion", "--null", "-T", "-"], {
    stdin: new TextEncoder().encode(files.map((f) => `${f}\0`).join("")),
    stdout: "pipe",
    stderr: "pipe",
  })
  const [out, err, code] = await Promise.all([new Response(proc.stdout).bytes(), new Response(proc.stderr).text(), proc.exited])
  if (code !== 0) throw new ExternalError(`could not archive the build context ${context}`, { details: [err.trim()] })
  return out
}

export interface BuildOptions {
  context: string
  /** relative to the context */
  dockerfile: string
  /** full reference, e.g. "localhost:5123/api:dev-abc" */
  tag: string
  labels?: Record<string, string>
  onProgress?: OnProgress
}

export async function buildImage(o: BuildOptions): Promise<void> {
  const dockerfile = join(o.context, o.dockerfile)
  try {
    readFileSync(dockerfile)
  } catch {
    throw new InputError(`Dockerfile not found: ${dockerfile}`)
  }
  // docker-modem writes a Buffer as the body; any other object it treats as a stream.
  const tar = await contextTar(o.context)
  const query: Record<string, string> = { t: o.tag, dockerfile: o.dockerfile, rm: "true", forcerm: "true" }
  if (o.labels) query.labels = JSON.stringify(o.labels)
  await _stream(
    { path: "/build?", method: "POST", file: Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength), options: { _query: query }, headers: { "Content-Type": "application/x-tar" }, isStream: true, statusCodes: { 200: true, 400: "bad parameter", 500: "server error" } },
    `docker build of ${o.context}`,
    o.onProgress,
  )
}

/** Pushes "host:port/name:tag". An empty auth header is what the engine expects for an open registry. */
export async function pushImage(ref: string, onProgress?: OnProgress): Promise<void> {
  const colon = ref.lastIndexOf(":")
  const name = colon > ref.lastIndexOf("/") ? ref.slice(0, colon) : ref
  const tag = colon > ref.lastIndexOf("/") ? ref.slice(colon + 1) : "latest"
  await _stream(
    { path: `/images/${name}/push?`, method: "POST", options: { _query: { tag } }, authconfig: {}, isStream: true, statusCodes: { 200: true, 404: "no such image", 500: "server error" } },
    `docker push ${ref}`,
    onProgress,
  )
}

function _stream(opts: DialOptions, what: string, onProgress?: OnProgress): Promise<void> {
  return new Promise((resolve, reject) => {
    _modem().dial(opts, (err, result) => {
      if (err) return reject(toDevrigError(err as DialError, what, endpoint().address))
      const stream = result as Readable
      let failure: string | undefined
      let buf = ""
      const line = (l: string) => {
        if (!l.trim()) return
        let ev: ProgressEvent
        try {
          ev = JSON.parse(l) as ProgressEvent
        } catch {
          ev = { stream: l }
        }
        // The engine reports build and push errors inside a 200 stream, not as a status code.
        if (ev.error || ev.errorDetail) failure = ev.errorDetail?.message ?? ev.error
        onProgress?.(ev)
      }
      stream.on("data", (chunk: Buffer) => {
        buf += chunk.toString("utf8")
        let nl: number
        while ((nl = buf.indexOf("\n")) >= 0) {
          line(buf.slice(0, nl))
          buf = buf.slice(nl + 1)
        }
      })
      stream.on("error", (e) => reject(new ExternalError(`${what} failed`, { details: [e.message], cause: e })))
      stream.on("end", () => {
        line(buf)
        if (failure) reject(new ExternalError(`${what} failed`, { details: failure.trim().split("\n") }))
        else resolve()
      })
    })
  })
}
