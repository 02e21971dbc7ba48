// The port-conflict message names the holder on one line: program and first arguments, a
// multi-line `python -c` script folded, cut to a sane width — never the raw command line.
import { afterAll, expect, test } from "bun:test"
import { formatCommand } from "../../../src/project/ports.ts"
import { assertCleanedUp, freePort, project, type Project } from "../../helpers/proc-fixtures.ts"

const made: Project[] = []
afterAll(async () => {
  for (const p of made) await p.run(["delete"])
})

/** A python process listening on `port`, started with a multi-line script and a long tail of arguments. */
async function holdPort(port: number) {
  const script = `import socket, sys, time\ns = socket.socket()\ns.bind(("127.0.0.1", ${port}))\ns.listen()\nprint("bound", flush=True)\ntime.sleep(600)\n`
  const proc = Bun.spawn(["python3", "-c", script, "--an-argument-nobody-needs-to-see", "x".repeat(200)], { stdout: "pipe", stderr: "inherit" })
  const reader = proc.stdout.getReader()
  await reader.read() // "bound"
  return proc
}

test("the holder of a taken port is described in one line of at most 60 characters", async () => {
  const port = await freePort()
  const p = project("holder", `[services.web]\ncommand = "sleep 600"\nport = ${port}\n`)
  made.push(p)
  const holder = await holdPort(port)
  try {
    const r = await p.run(["start", "-d"])
    expect(r.exitCode).toBe(1)
    const lines = r.stderr.split("\n")
    const line = lines.find((l) => l.includes(`Port ${port} is already in use`))!
    expect(line).toBeDefined()
    const command = new RegExp(`\\(by pid ${holder.pid}: (.*)\\)$`).exec(line)?.[1]
    expect(command).toBe("python3 -c import socket, sys, time s = socket.socket() s.b…")
    expect(command!.length).toBeLessThanOrEqual(60)
    // no line of the script (or its arguments) leaks onto a line of its own
    expect(r.stderr).not.toContain("time.sleep")
    expect(r.stderr).not.toContain("xxxxxxxx")
    expect(lines.filter((l) => /^\s*s\.|^\s*print\(/.test(l))).toEqual([])
    await assertCleanedUp(p)
  } finally {
    holder.kill("SIGKILL")
    await holder.exited
  }
}, 60_000)

test("formatCommand: whitespace folded, short commands kept whole, long ones cut with …", () => {
  expect(formatCommand(["/usr/local/bin/node", "server.js", "--port", "3000"])).toBe("node server.js --port 3000")
  expect(formatCommand(["sh", "-c", "  echo a\n\techo b  "])).toBe("sh -c echo a echo b")
  expect(formatCommand(["x".repeat(100)], 10)).toBe("xxxxxxxxx…")
  expect(formatCommand([])).toBe("?")
})
