// The request rules of src/server/security.ts and the OTLP/HTTP receiver's CORS, on plain Requests.
import { expect, test } from "bun:test"
import { createOtlpHttpHandler } from "../../../src/otel/receiver-http.ts"
import { TelemetryStore } from "../../../src/otel/store.ts"
import { authenticated, cookieValue, ownOrigin, refusal, type Guard } from "../../../src/server/security.ts"

const guard: Guard = { token: "s3cret", port: () => 4000 }
const req = (headers: Record<string, string>, method = "GET") => new Request("http://127.0.0.1:4000/api/status", { method, headers: { host: "127.0.0.1:4000", ...headers } })

test("the dashboard's own origin is scheme, host and port; any loopback spelling of its port", () => {
  for (const o of ["http://127.0.0.1:4000", "http://localhost:4000", "http://[::1]:4000"]) expect(ownOrigin(req({ origin: o }), 4000), o).toBe(true)
  for (const o of ["http://localhost:3000", "https://127.0.0.1:4000", "http://127.0.0.1", "null", "http://127.0.0.1.evil.test:4000", "file://"])
    expect(ownOrigin(req({ origin: o }), 4000), o).toBe(false)
  expect(ownOrigin(req({}), 4000)).toBe(true) // not a browser
})

test("refusal: Host, then origin and fetch site, then the token (bearer or the port's cookie)", () => {
  expect(refusal(req({ host: "evil.test:4000", authorization: "Bearer s3cret" }), guard)?.status).toBe(403)
  expect(refusal(req({ origin: "http://localhost:3000", authorization: "Bearer s3cret" }), guard)?.status).toBe(403)
  expect(refusal(req({ "sec-fetch-site": "same-site", cookie: "devrig_4000=s3cret" }), guard)?.status).toBe(403)
  expect(refusal(req({}), guard)?.status).toBe(401)
  expect(refusal(req({ cookie: "devrig_4001=s3cret" }), guard)?.status).toBe(401) // another dashboard's cookie
  expect(refusal(req({ authorization: "Bearer s3cret" }), guard)).toBeUndefined()
  expect(refusal(req({ cookie: "a=1; devrig_4000=s3cret", "sec-fetch-site": "same-origin", origin: "http://localhost:4000" }, "POST"), guard)).toBeUndefined()
  expect(authenticated(req({}), { token: undefined, port: () => 4000 })).toBe(true)
  expect(cookieValue(req({ cookie: "x=1;  devrig_4000 = v ; y=2" }), "devrig_4000")).toBe("v")
})

test("OTLP/HTTP: no Origin is an SDK; loopback and configured origins get themselves back; others 403 without CORS", async () => {
  const store = new TelemetryStore({ traceBuffer: 10, metricBuffer: 10, logBuffer: 10, retentionMs: 1e9 })
  const handle = createOtlpHttpHandler(store, { corsOrigins: ["https://myapp.test"] })
  const post = (headers: Record<string, string>) =>
    handle(new Request("http://127.0.0.1:4318/v1/logs", { method: "POST", body: "{}", headers: { host: "127.0.0.1:4318", "content-type": "application/json", ...headers } }))
  expect((await post({})).status).toBe(200)
  expect((await post({})).headers.get("access-control-allow-origin")).toBeNull()
  for (const origin of ["http://localhost:5173", "http://127.0.0.1:3000", "https://myapp.test"]) {
    const r = await post({ origin })
    expect(r.status, origin).toBe(200)
    expect(r.headers.get("access-control-allow-origin")).toBe(origin)
    expect(r.headers.get("vary")).toBe("Origin")
  }
  for (const origin of ["https://evil.test", "null", "https://myapp.test.evil.test", "http://myapp.test"]) {
    const r = await post({ origin })
    expect(r.status, origin).toBe(403)
    expect(r.headers.get("access-control-allow-origin")).toBeNull()
  }
  expect((await post({ host: "rebound.test:4318" })).status).toBe(403)
})
