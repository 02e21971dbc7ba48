/** A devrig.toml that was found, read and checked (src/config/load.ts makes it). */
import type { Identity } from "../project/identity.ts"
import type { Locator } from "./locate.ts"
import type { Config } from "./schema.ts"
import type { CheckContext } from "./validate.ts"

export interface LoadedConfig {
  path: string
  source: string
  config: Config
  identity: Identity
  locator: Locator
  ctx: CheckContext
}
