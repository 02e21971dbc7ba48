// worker: calls the web page every two seconds, so there is always fresh telemetry to look at.
import { log, tracer, tracedFetch } from "../lib/otel.ts"

const web = process.env.DEVRIG_WEB_URL!
let n = 0
setInterval(() => {
  n++
  void tracer.startActiveSpan("job", async (span) => {
    try {
      const res = await tracedFetch(web)
      log(res.ok ? "info" : "warn", `job ${n} done: web answered ${res.status}`, { job: n })
    } catch (e) {
      log("error", `job ${n} failed: ${(e as Error).message}`)
    } finally {
      span.end()
    }
  })
}, 2000)
