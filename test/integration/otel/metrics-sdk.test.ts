// Real OpenTelemetry JS SDK metric exporters against the receivers: sums, gauges, explicit
// and exponential histograms arrive as series with the values that were recorded.
import { describe, expect, test } from "bun:test"
import { resourceFromAttributes } from "@opentelemetry/resources"
import { AggregationType, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics"
import { OTLPMetricExporter as GrpcExporter } from "@opentelemetry/exporter-metrics-otlp-grpc"
import { OTLPMetricExporter as ProtoExporter } from "@opentelemetry/exporter-metrics-otlp-proto"
import { OTLPMetricExporter as JsonExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import type { ExponentialHistogramPoint, HistogramPoint, MetricInfo, MetricSeries, NumberPoint } from "../../../src/server/api-types.ts"
import { endpoint, getJson, startStack, stopAndCheck, TRANSPORTS, type Transport } from "./helpers.ts"

function exporter(transport: Transport, url: string, gzip: boolean): PushMetricExporter {
  const compression = (gzip ? "gzip" : "none") as never
  if (transport === "grpc") return new GrpcExporter({ url, compression })
  if (transport === "http/protobuf") return new ProtoExporter({ url, compression })
  return new JsonExporter({ url, compression })
}

for (const transport of TRANSPORTS) {
  for (const gzip of [false, true]) {
    describe(`metrics over ${transport}${gzip ? " + gzip" : ""}`, () => {
      test("sums, gauges and histograms arrive as series with the recorded values", async () => {
        const t = await startStack()
        try {
          const provider = new MeterProvider({
            resource: resourceFromAttributes({ "service.name": "api" }),
            views: [{ instrumentName: "latency.exp", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
            readers: [
              new PeriodicExportingMetricReader({ exporter: exporter(transport, endpoint(t, transport, "metrics"), gzip), exportIntervalMillis: 3_600_000 }),
            ],
          })
          const meter = provider.getMeter("app")
          const requests = meter.createCounter("http.requests", { unit: "{request}", description: "requests served" })
          requests.add(3, { route: "/users", code: 200 })
          requests.add(2, { route: "/users", code: 200 })
          requests.add(1, { route: "/boom", code: 500 })
          const duration = meter.createHistogram("http.server.duration", { unit: "ms", advice: { explicitBucketBoundaries: [10, 100] } })
          for (const v of [5, 50, 70, 500]) duration.record(v, { route: "/users" })
          meter.createGauge("queue.depth").record(17)
          const exp = meter.createHistogram("latency.exp")
          for (const v of [1, 2, 4, 8]) exp.record(v)
          await provider.forceFlush()
          await provider.shutdown()

          const names = await getJson<MetricInfo[]>(t, "/api/metrics")
          expect(names.map((m) => [m.name, m.type, m.unit, m.services])).toEqual([
            ["http.requests", "sum", "{request}", ["api"]],
            ["http.server.duration", "histogram", "ms", ["api"]],
            ["latency.exp", "exponential_histogram", "", ["api"]],
            ["queue.depth", "gauge", "", ["api"]],
          ])
          expect(names[0]).toMatchObject({ description: "requests served", monotonic: true, temporality: "cumulative", series: 2 })

          const req = await getJson<MetricSeries[]>(t, "/api/metrics?name=http.requests&service=api")
          const byRoute = Object.fromEntries(req.map((s) => [s.attributes.route as string, (s.points.at(-1) as NumberPoint).value]))
          expect(byRoute).toEqual({ "/users": 5, "/boom": 1 })
          const boom = await getJson<MetricSeries[]>(t, "/api/metrics?name=http.requests&label=route%3D%2Fboom&label=code%3D500")
          expect(boom).toHaveLength(1)

          const [hist] = await getJson<MetricSeries[]>(t, "/api/metrics?name=http.server.duration&last=5m")
          const hp = hist!.points.at(-1) as HistogramPoint
          expect(hp).toMatchObject({ count: 4, sum: 625, min: 5, max: 500, bounds: [10, 100], bucketCounts: [1, 2, 1] })

          const [gauge] = await getJson<MetricSeries[]>(t, "/api/metrics?name=queue.depth")
          expect((gauge!.points[0] as NumberPoint).value).toBe(17)

          const [e] = await getJson<MetricSeries[]>(t, "/api/metrics?name=latency.exp")
          const ep = e!.points[0] as ExponentialHistogramPoint
          expect(ep).toMatchObject({ count: 4, sum: 15, min: 1, max: 8, zeroCount: 0 })
          expect(ep.positive.bucketCounts.reduce((a, b) => a + b, 0)).toBe(4)
        } finally {
          expect(await stopAndCheck(t)).toBe(true)
        }
      })
    })
  }
}
