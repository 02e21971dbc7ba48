// A WebSocket client that stops reading (a frozen browser tab): the hub closes it once its
// unsent buffer passes MAX_BUFFERED_BYTES, memory stays bounded, ingest keeps its pace, and a
// client that does read keeps getting events.
import { expect, test } from "bun:test"
import { connect, type Socket } from "node:net"
import { MAX_BUFFERED_BYTES } from "../../../src/server/ws-hub.ts"
import { authHeaders, startStack, stopAndCheck, TEST_TOKEN } from "../otel/helpers.ts"
import { waitFor } from "../../helpers/proc-fixtures.ts"

/** A raw WebSocket upgrade whose socket is then paused: the server's frames pile up. */
async function stuckClient(port: number): Promise<{ sock: Socket; closed: () => boolean }> {
  const sock = connect(port, "127.0.0.1")
  let closed = false
  sock.on("close", () => (closed = true))
  sock.on("error", () => (closed = true))
  await new Promise<void>((resolve, reject) => {
    sock.once("connect", () => {
      sock.write(
        `GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      )
    })
    sock.once("data", (d) => (String(d).startsWith("HTTP/1.1 101") ? resolve() : reject(new Error(String(d).split("\r\n")[0]))))
  })
  sock.pause() // from now on nothing is read: the kernel buffers fill, then the server's
  return { sock, closed: () => closed }
}

function logsBody(n: number, size: number, seq: number): string {
  const body = "x".repeat(size)
  const logRecords = Array.from({ length: n }, (_, i) => ({ timeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(i)), severityText: "INFO", body: { stringValue: `${seq}/${i} ${body}` } }))
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "flood" } }] }, scopeLogs: [{ logRecords }] }] })
}

test("a WebSocket client that stops reading is dropped past the buffer limit; memory stays bounded; ingest keeps up", async () => {
  const t = await startStack({ logBuffer: 2000 })
  const port = t.dashboard.port
  let healthyGot = 0
  const healthy = new WebSocket(`ws://127.0.0.1:${port}/api/ws`, { headers: authHeaders(t) } as never)
  healthy.onmessage = () => healthyGot++
  await new Promise((r) => (healthy.onopen = r))
  const stuck = await stuckClient(port)
  await waitFor(() => t.hub.size === 2, "both clients registered", 2000)

  const rss0 = process.memoryUsage().rss
  let sent = 0
  let maxMs = 0
  let dropAt = -1
  const t0 = Date.now()
  // 200 × 4 KiB log records per request; each flush pushes ~800 KiB to each client
  for (let i = 0; i < 400 && (dropAt < 0 || i < dropAt + 40); i++) {
    const s = performance.now()
    const res = await fetch(`http://127.0.0.1:${t.dashboard.httpPort}/v1/logs`, { method: "POST", headers: { "content-type": "application/json" }, body: logsBody(200, 4096, i) })
    maxMs = Math.max(maxMs, performance.now() - s)
    expect(res.status).toBe(200)
    await res.arrayBuffer()
    sent += 200
    if (dropAt < 0 && t.hub.size === 1) dropAt = i
    if (i % 5 === 0) await Bun.sleep(60) // let the 250 ms flushes run between bursts
  }
  const rss1 = process.memoryUsage().rss
  console.log(`[ws-slow] dropped after ${dropAt} requests (${Date.now() - t0} ms in), slowest ingest ${maxMs.toFixed(0)} ms, RSS +${((rss1 - rss0) / 1048576).toFixed(0)} MiB, healthy client got ${healthyGot} frames`)
  expect(dropAt).toBeGreaterThanOrEqual(0)
  expect(t.hub.size).toBe(1) // the healthy one
  expect(t.store.counters().logs.received).toBe(sent)
  expect(maxMs).toBeLessThan(1000)
  // the stuck client's queue is capped at ~MAX_BUFFERED_BYTES + one flush; the store holds 2000 × 4 KiB
  expect(rss1 - rss0).toBeLessThan(200 * 1024 * 1024)
  expect(MAX_BUFFERED_BYTES).toBeLessThanOrEqual(4 * 1024 * 1024)
  // reading again, the stuck client finds its connection closed by the server
  stuck.sock.resume()
  stuck.sock.on("data", () => {})
  await waitFor(() => stuck.closed(), "the dropped client's socket to close", 10_000)
  const before = healthyGot
  await fetch(`http://127.0.0.1:${t.dashboard.httpPort}/v1/logs`, { method: "POST", headers: { "content-type": "application/json" }, body: logsBody(1, 10, 999) })
  await waitFor(() => healthyGot > before, "the healthy client to keep receiving", 3000)
  healthy.close()
  expect(await stopAndCheck(t)).toBe(true)
}, 60_000)
