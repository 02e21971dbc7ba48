// api: lists users from Postgres when devrig gives it DEVRIG_POSTGRES_URL, else from memory.
import { log, meter, traced, tracer } from "../lib/otel.ts"

const url = process.env.DEVRIG_POSTGRES_URL
const sql = url ? new Bun.SQL(url) : undefined
const fallback = [{ id: 1, name: "ada" }, { id: 2, name: "linus" }]
const requests = meter.createCounter("api.requests", { description: "requests served" })

async function users() {
  return tracer.startActiveSpan("SELECT users", { attributes: { "db.system": sql ? "postgresql" : "memory" } }, async (span) => {
    try {
      return sql ? await sql`SELECT id, name FROM users ORDER BY id` : fallback
    } finally {
      span.end()
    }
  })
}

Bun.serve({
  port: Number(process.env.PORT),
  fetch: traced(async (req) => {
    const path = new URL(req.url).pathname
    requests.add(1, { path })
    if (path === "/users") {
      // One request in ten is slow, one in twenty fails: something to find in the dashboard.
      const roll = Math.random()
      if (roll < 0.1) await Bun.sleep(300)
      if (roll > 0.95) throw new Error("random failure (1 in 20)")
      const list = await users()
      log("info", `listed ${list.length} users`, { count: list.length })
      return Response.json(list)
    }
    return new Response("ok")
  }),
})
log("info", `api listening on ${process.env.PORT}${sql ? " with postgres" : " without a database"}`)
