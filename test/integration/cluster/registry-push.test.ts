// Registry push validation without the registry:2 image: a minimal in-process implementation of
// the distribution push protocol, fed by the real Docker engine through pushImage().
import { afterAll, describe, expect, test } from "bun:test"
import { createHash } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { buildImage, pushImage, type ProgressEvent } from "../../../src/docker/build.ts"
import { tempProject } from "./helpers.ts"


function miniRegistry() {
  const blobs = new Map<string, Uint8Array>()
  const uploads = new Map<string, Uint8Array[]>()
  const manifests = new Map<string, string>()
  const h = { "Docker-Distribution-API-Version": "registry/2.0" }
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url)
      const p = url.pathname
      if (p === "/v2/" || p === "/v2") return new Response("{}", { headers: h })
      let m = p.match(/^\/v2\/(.+)\/blobs\/uploads\/?$/)
      if (m && req.method === "POST") {
        const id = crypto.randomUUID()
        uploads.set(id, [])
        return new Response(null, { status: 202, headers: { ...h, Location: `/v2/${m[1]}/blobs/uploads/${id}`, Range: "0-0", "Docker-Upload-UUID": id } })
      }
      m = p.match(/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/)
      if (m) {
        const parts = uploads.get(m[2]!) ?? []
        parts.push(new Uint8Array(await req.arrayBuffer()))
        uploads.set(m[2]!, parts)
        const size = parts.reduce((n, b) => n + b.length, 0)
        if (req.method === "PATCH") return new Response(null, { status: 202, headers: { ...h, Location: p, Range: `0-${Math.max(0, size - 1)}` } })
        const digest = url.searchParams.get("digest")!
        blobs.set(digest, Buffer.concat(parts))
        return new Response(null, { status: 201, headers: { ...h, Location: `/v2/${m[1]}/blobs/${digest}`, "Docker-Content-Digest": digest } })
      }
      m = p.match(/^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]+)$/)
      if (m) {
        const b = blobs.get(m[2]!)
        if (!b) return new Response(null, { status: 404, headers: h })
        return new Response(req.method === "HEAD" ? null : Buffer.from(b), { headers: { ...h, "Content-Length": String(b.length), "Docker-Content-Digest": m[2]! } })
      }
      m = p.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/)
      if (m && req.method === "PUT") {
        const body = await req.text()
        const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`
        manifests.set(`${m[1]}:${m[2]}`, body)
        return new Response(null, { status: 201, headers: { ...h, "Docker-Content-Digest": digest, Location: p } })
      }
      if (m) return new Response(null, { status: 404, headers: h })
      return new Response(null, { status: 404, headers: h })
    },
  })
  return { server, blobs, manifests }
}

describe("registry push", () => {
  const reg = miniRegistry()
  const ref = `localhost:${reg.server.port}/devrig-push-${Date.now().toString(36)}:dev-1`
  afterAll(() => {
    reg.server.stop(true)
    Bun.spawnSync(["docker", "rmi", "-f", ref], { stdout: "ignore", stderr: "ignore" })
  })

  test("an image built for the project registry is pushed: manifest and layers arrive", async () => {
    const ctx = tempProject()
    writeFileSync(join(ctx, "Dockerfile"), "FROM scratch\nCOPY devrig.toml /\n")
    await buildImage({ context: ctx, dockerfile: "Dockerfile", tag: ref })
    const events: ProgressEvent[] = []
    await pushImage(ref, (e) => events.push(e))
    const name = ref.slice(ref.indexOf("/") + 1, ref.lastIndexOf(":"))
    const manifest = JSON.parse(reg.manifests.get(`${name}:dev-1`)!)
    expect(manifest.layers.length).toBe(1)
    expect(reg.blobs.has(manifest.layers[0].digest)).toBe(true)
    expect(reg.blobs.has(manifest.config.digest)).toBe(true)
    expect(events.some((e) => e.status === "Pushed" || /digest: sha256/.test(e.status ?? ""))).toBe(true)
  })
})
