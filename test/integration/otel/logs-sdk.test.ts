// Real OpenTelemetry JS SDK log exporters against the receivers: severities, bodies,
// attributes and trace correlation survive, and the log filters select the right records.
import { describe, expect, test } from "bun:test"
import { SeverityNumber } from "@opentelemetry/api-logs"
import { context, trace, TraceFlags } from "@opentelemetry/api"
import { resourceFromAttributes } from "@opentelemetry/resources"
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from "@opentelemetry/sdk-logs"
import { OTLPLogExporter as GrpcExporter } from "@opentelemetry/exporter-logs-otlp-grpc"
import { OTLPLogExporter as ProtoExporter } from "@opentelemetry/exporter-logs-otlp-proto"
import { OTLPLogExporter as JsonExporter } from "@opentelemetry/exporter-logs-otlp-http"
import type { LogRecord } from "../../../src/server/api-types.ts"
import { endpoint, getJson, startStack, stopAndCheck, TRANSPORTS, type Transport } from "./helpers.ts"

function exporter(transport: Transport, url: string, gzip: boolean): LogRecordExporter {
  const compression = (gzip ? "gzip" : "none") as never
  if (transport === "grpc") return new GrpcExporter({ url, compression })
  if (transport === "http/protobuf") return new ProtoExporter({ url, compression })
  return new JsonExporter({ url, compression })
}

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
const SPAN_ID = "00f067aa0ba902b7"
// recent and whole-second: the receivers keep sender timestamps, and `from` filters assume clocks roughly agree
const T0 = Math.floor(Date.now() / 1000) * 1000 - 60_000

for (const transport of TRANSPORTS) {
  for (const gzip of [false, true]) {
    describe(`logs over ${transport}${gzip ? " + gzip" : ""}`, () => {
      test("records arrive intact and filter by level, service, search and trace id", async () => {
        const t = await startStack()
        try {
          const providers = ["api", "worker"].map(
            (service) =>
              new LoggerProvider({
                resource: resourceFromAttributes({ "service.name": service }),
                processors: [new BatchLogRecordProcessor({ exporter: exporter(transport, endpoint(t, transport, "logs"), gzip) } as never)],
              }),
          )
          const [api, worker] = providers.map((p) => p.getLogger("app", "0.1.0"))
          const traced = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED })
          api!.emit({ timestamp: T0, severityNumber: SeverityNumber.INFO, severityText: "INFO", body: "user created", attributes: { "user.id": 42 } })
          api!.emit({ timestamp: T0 + 1, severityNumber: SeverityNumber.ERROR, severityText: "ERROR", body: "connection refused by db", context: traced })
          api!.emit({ timestamp: T0 + 2, severityNumber: SeverityNumber.WARN, severityText: "WARN", body: { msg: "slow", ms: 950 } })
          worker!.emit({ timestamp: T0 + 3, severityNumber: SeverityNumber.ERROR2, severityText: "error", body: "job failed" })
          await Promise.all(providers.map((p) => p.forceFlush()))
          await Promise.all(providers.map((p) => p.shutdown()))

          const all = await getJson<LogRecord[]>(t, "/api/logs")
          expect(all).toHaveLength(4)
          expect(all.map((l) => l.timestamp)).toEqual([3, 2, 1, 0].map((d) => new Date(T0 + d).toISOString()))
          const first = all[3]!
          expect(first).toMatchObject({ service: "api", severityText: "INFO", severityNumber: 9, level: "info", body: "user created", attributes: { "user.id": 42 } })
          expect(first.scope).toEqual({ name: "app", version: "0.1.0" })
          expect(first.traceId).toBeUndefined()
          expect(all[1]!.body).toEqual({ msg: "slow", ms: 950 })

          const errors = await getJson<LogRecord[]>(t, "/api/logs?level=error")
          expect(errors.map((l) => [l.service, l.body])).toEqual([["worker", "job failed"], ["api", "connection refused by db"]])
          const apiErrors = await getJson<LogRecord[]>(t, "/api/logs?service=api&level=error")
          expect(apiErrors).toHaveLength(1)
          expect(apiErrors[0]).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, severityNumber: 17 })
          const warnOrError = await getJson<LogRecord[]>(t, "/api/logs?service=api&level=warn&level=error")
          expect(warnOrError).toHaveLength(2)
          const search = await getJson<LogRecord[]>(t, `/api/logs?search=${encodeURIComponent("Connection Refused")}`)
          expect(search.map((l) => l.body)).toEqual(["connection refused by db"])
          const byTrace = await getJson<LogRecord[]>(t, `/api/logs?traceId=${TRACE_ID}`)
          expect(byTrace.map((l) => l.spanId)).toEqual([SPAN_ID])
          const window = await getJson<LogRecord[]>(
            t,
            `/api/logs?from=${new Date(T0 + 1).toISOString()}&to=${new Date(T0 + 2).toISOString()}&service=api`,
          )
          expect(window.map((l) => l.severityText)).toEqual(["WARN", "ERROR"])
          const limited = await getJson<LogRecord[]>(t, "/api/logs?limit=1")
          expect(limited.map((l) => l.body)).toEqual(["job failed"])
        } finally {
          expect(await stopAndCheck(t)).toBe(true)
        }
      })
    })
  }
}
