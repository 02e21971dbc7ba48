/** `devrig query`: the query command bound to this project's running dashboard. */
import { InputError } from "../errors.ts"
import { createQueryCommand } from "./query.ts"
import { project } from "./project-cmd.ts"
import { apiTarget } from "./api-client.ts"
import { cursorMs } from "./cursors.ts"

export default createQueryCommand(
  async () => {
  const { loaded, supervisor } = project()
  const name = loaded.identity.name
  if (!supervisor) throw new InputError(`${name} is not running`, { hint: "Start it with `devrig start` (with a [dashboard] block in devrig.toml)" })
  const target = apiTarget(loaded.identity.root)
  if (!target) throw new InputError(`${name} runs without the dashboard, so there is no telemetry to query`, { hint: "Add a [dashboard] block to devrig.toml and restart" })
  return target
  },
  (args) => cursorMs(project().loaded.identity.root, args),
)
