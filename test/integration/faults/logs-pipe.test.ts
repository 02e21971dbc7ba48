// `devrig logs --follow | head -1`: the reader goes away after one line; logs must exit by
// itself (no hang, exit 0, no stack trace) and the supervisor must not notice.
import { expect, test } from "bun:test"
import { BIN } from "../../helpers/cli.ts"
import { assertCleanedUp, isAlive, project, startDetached, stop, waitFor } from "../../helpers/proc-fixtures.ts"

test("`logs --follow | head -1` exits cleanly and the supervisor is unaffected", async () => {
  const p = project("logpipe", `[services.ticker]\ncommand = "while :; do echo tick; sleep 0.1; done"\n\n[services.idle]\ncommand = "sleep 600"\n`)
  await startDetached(p)
  const sup = p.supervisorPid()!
  await waitFor(() => p.read(".devrig/logs/ticker.log").includes("tick"), "ticker output")
  for (const args of ["logs --follow", "logs --follow ticker", "logs --follow --json"]) {
    const t = Date.now()
    const sh = Bun.spawn(["bash", "-c", `set -o pipefail; '${BIN}' ${args} | head -1; echo "status \${PIPESTATUS[*]}" >&2`], {
      cwd: p.dir,
      env: { ...process.env, ...p.env },
      stdout: "pipe",
      stderr: "pipe",
    })
    const killer = setTimeout(() => sh.kill("SIGKILL"), 10_000)
    const [out, err, code] = await Promise.all([new Response(sh.stdout).text(), new Response(sh.stderr).text(), sh.exited])
    clearTimeout(killer)
    expect(code, `${args} hung or failed: ${err}`).toBe(0)
    expect(err).toContain("status 0 0")
    expect(err).not.toMatch(/\n\s+at /)
    expect(out.trim().split("\n").length).toBe(1)
    expect(Date.now() - t).toBeLessThan(5000)
  }
  expect(isAlive(sup)).toBe(true)
  expect((await p.component("ticker")).state).toBe("running")
  await stop(p)
  await assertCleanedUp(p, [], sup)
}, 40_000)
