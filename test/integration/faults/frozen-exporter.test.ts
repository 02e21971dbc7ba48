// An exporter that hangs (here: SIGSTOPped) with its gRPC connection open must not hold
// `devrig stop`: the receiver used to wait for every client to close its side of the TCP
// connection, so the stop took the CLI's full 120 s and ended in a SIGKILL.
import { expect, test } from "bun:test"
import { assertCleanedUp, isAlive, stop } from "../../helpers/proc-fixtures.ts"
import { collectorOnly } from "../fuzz/collector.ts"

test("a frozen gRPC exporter with an open connection does not hold `devrig stop`", async () => {
  const { p, sup, ports, target } = await collectorOnly("frozen", "")
  const client = Bun.spawn(
    [
      "bun",
      "-e",
      `const h = require("node:http2"); const s = h.connect("http://127.0.0.1:${target.grpcPort}");
       const r = s.request({ ":method": "POST", ":path": "/opentelemetry.proto.collector.trace.v1.TraceService/Export", "content-type": "application/grpc+proto", te: "trailers" });
       r.on("response", () => {}); r.on("data", () => {}); r.on("end", () => console.log("ready")); r.end(new Uint8Array(5));
       setInterval(() => {}, 1000)`,
    ],
    { stdout: "pipe", stderr: "inherit" },
  )
  try {
    const reader = client.stdout.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("ready")
    process.kill(client.pid, "SIGSTOP")
    const t = Date.now()
    await stop(p)
    const ms = Date.now() - t
    console.log(`[frozen-exporter] stop took ${ms} ms`)
    expect(ms).toBeLessThan(5000)
    expect(isAlive(sup)).toBe(false)
    await assertCleanedUp(p, ports, sup)
  } finally {
    client.kill("SIGKILL")
    await client.exited
  }
}, 30_000)
