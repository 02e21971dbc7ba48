// web: a page that shows the users it gets from the api (found through DEVRIG_API_URL).
import { log, traced, tracedFetch } from "../lib/otel.ts"

const api = process.env.DEVRIG_API_URL!

Bun.serve({
  port: Number(process.env.PORT),
  fetch: traced(async (req) => {
    if (new URL(req.url).pathname !== "/") return new Response("not found", { status: 404 })
    const res = await tracedFetch(`${api}/users`)
    if (!res.ok) {
      log("warn", `api answered ${res.status}`)
      return new Response(`api answered ${res.status}`, { status: 502 })
    }
    const users = (await res.json()) as { name: string }[]
    const items = users.map((u) => `<li>${u.name}</li>`).join("")
    return new Response(`<!doctype html><title>quickstart</title><h1>Users</h1><ul>${items}</ul>`, { headers: { "content-type": "text/html" } })
  }),
})
log("info", `web listening on ${process.env.PORT}, api at ${api}`)
