/**
 * Serves the embedded dashboard. The files come from src/server/ui-assets.gen.ts (written by
 * scripts/build-ui.ts), whose `with { type: "file" }` imports make `bun build --compile` embed
 * them: at run time they are read from /$bunfs/, so the binary works from any directory.
 *
 * - hashed files under /assets/ are immutable (cached for a year); index.html is no-cache;
 * - a precompressed .gz twin is sent when the client accepts gzip;
 * - any other GET outside /api gets index.html (SPA deep links); unknown /assets/* are 404.
 */
import { createHash } from "node:crypto"
import type { UiHandler } from "./controller.ts"
import { pageHeaders } from "./security.ts"

interface UiAsset {
  file: string
  gzip?: string
  contentType: string
  immutable: boolean
}

let loaded: Promise<Record<string, UiAsset> | null> | undefined

// Imported lazily so the server (and its tests) still load when the UI has not been built.
function load(): Promise<Record<string, UiAsset> | null> {
  loaded ??= import("./ui-assets.gen.ts").then(
    (m: { assets: Record<string, UiAsset> }) => m.assets,
    () => null,
  )
  return loaded
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>devrig</title>
<body style="font:14px system-ui;background:#0b0d12;color:#e4e7ef;padding:40px">
<p>The dashboard has not been built. Run <code>bun scripts/build-ui.ts</code> (or <code>./scripts/build</code>).</p>`

function acceptsGzip(req: Request): boolean {
  return /\bgzip\b/.test(req.headers.get("accept-encoding") ?? "")
}

const hashes = new Map<string, Promise<string[]>>()

/** sha256 of each inline <script> of an HTML file, for its Content-Security-Policy. */
function inlineScriptHashes(file: string): Promise<string[]> {
  let h = hashes.get(file)
  if (!h) {
    h = Bun.file(file)
      .text()
      .then((html) => [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => createHash("sha256").update(m[1]!).digest("base64")))
    hashes.set(file, h)
  }
  return h
}

async function serve(req: Request, a: UiAsset): Promise<Response> {
  const gz = a.gzip !== undefined && acceptsGzip(req)
  const html = a.contentType.startsWith("text/html")
  const headers: Record<string, string> = {
    "content-type": a.contentType,
    "cache-control": a.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
    ...(html ? pageHeaders(await inlineScriptHashes(a.file)) : {}),
  }
  if (a.gzip !== undefined) headers.vary = "Accept-Encoding"
  if (gz) headers["content-encoding"] = "gzip"
  const body = Bun.file(gz ? a.gzip! : a.file)
  return new Response(req.method === "HEAD" ? null : body, { headers })
}

export const uiHandler: UiHandler = async (req) => {
  if (req.method !== "GET" && req.method !== "HEAD") return undefined
  const path = decodeURIComponent(new URL(req.url).pathname)
  if (path === "/api" || path.startsWith("/api/")) return undefined
  const assets = await load()
  if (!assets) return new Response(NOT_BUILT, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache", ...pageHeaders() } })
  const hit = assets[path]
  if (hit) return serve(req, hit)
  if (path.startsWith("/assets/")) return undefined
  const index = assets["/index.html"]
  return index ? serve(req, index) : undefined
}
