// A devrig whose only component is the dashboard + OTLP collector, on ports of its own: the
// compiled binary's receivers, with the supervisor's pid for RSS/CPU readings.
import { freePort, project, startDetached } from "../../helpers/proc-fixtures.ts"
import type { Target } from "./otlp-cases.ts"

/** A running devrig whose only component is the dashboard/collector, on ports of its own. */
export async function collectorOnly(name: string, otel = "trace_buffer = 1000\nlog_buffer = 5000\nmetric_buffer = 5000") {
  const [dash, grpc, http] = await Promise.all([freePort(), freePort(), freePort()])
  const p = project(name, `[dashboard]\nport = ${dash}\n[dashboard.otel]\ngrpc_port = ${grpc}\nhttp_port = ${http}\n${otel}\n`)
  await startDetached(p)
  return { p, sup: p.supervisorPid()!, ports: [dash, grpc, http], target: { httpPort: http, grpcPort: grpc } as Target }
}

