// The instrumented two-service shop (fixtures/shop.ts) run by devrig, and the requests the
// tests send it: one fast order, one failing (pricing has no price for 13).
import { join } from "node:path"
import { freePort, waitFor } from "../../helpers/proc-fixtures.ts"
import { started, type Rig } from "../beyond/helpers.ts"
import type { TraceSummary } from "../../../src/server/api-types.ts"

const SHOP = join(import.meta.dir, "fixtures", "shop.ts")

export interface Shop {
  r: Rig
  apiPort: number
  pricingPort: number
  /** GET /orders/<id> on the api service; the HTTP status */
  order(id: number): Promise<number>
  /** the trace of one order (polled until it is complete: api and pricing spans, 5 of them) */
  traceOf(id: number): Promise<TraceSummary>
}

export async function startShop(name: string): Promise<Shop> {
  const [apiPort, pricingPort] = [await freePort(), await freePort()]
  const r = await started(
    name,
    `[services.pricing]\ncommand = "exec bun ${SHOP} pricing"\nport = ${pricingPort}\n\n` +
      `[services.api]\ncommand = "exec bun ${SHOP} api"\nport = ${apiPort}\ndepends_on = ["pricing"]\n`,
  )
  const shop: Shop = {
    r,
    apiPort,
    pricingPort,
    order: async (id) => (await fetch(`http://127.0.0.1:${apiPort}/orders/${id}`)).status,
    traceOf: (id) =>
      waitFor(
        async () => (await r.query<TraceSummary>(["traces", "--attr", `url.path=/orders/${id}`])).find((t) => t.spans >= 4 && t.hasRoot),
        `the trace of order ${id}`,
        20_000,
        150,
      ),
  }
  return shop
}
