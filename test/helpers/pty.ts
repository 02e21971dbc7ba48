/**
 * Runs a program on a real pseudo-terminal, as a user's shell would: python3's `pty.fork()` makes
 * the child a session leader with the pty as its controlling terminal, so `ctrlC()` (writing
 * "\x03" to the master) makes the kernel's line discipline send SIGINT to the terminal's whole
 * foreground process group — exactly what Ctrl+C does. (`script` relays its stdin too, but exits on
 * EOF and gives no handle on the child's pid.)
 *
 * Output arrives as the terminal shows it: stdout and stderr merged, CRLF line ends.
 */
import { waitFor } from "./proc-fixtures.ts"

const DRIVER = `
import os, pty, select, signal, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
sys.stderr.write("pid %d\\n" % pid)
sys.stderr.flush()
inputs = [fd, 0]
while True:
    r, _, _ = select.select(inputs, [], [])
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    if 0 in r:
        data = os.read(0, 1024)
        if data:
            os.write(fd, data)
        else:
            inputs.remove(0)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(128 - code if code < 0 else code)
`

export interface PtyRun {
  /** pid of the program on the terminal (the session leader) */
  pid: Promise<number>
  output(): string
  waitOutput(re: RegExp, timeoutMs?: number): Promise<string>
  /** Ctrl+C: SIGINT to the terminal's foreground process group */
  ctrlC(): void
  /** the program's exit code (128 + n when a signal ended it) */
  exited: Promise<number>
  /** SIGKILL the program (the safety net of a failed test) */
  kill(): Promise<void>
}

export function spawnPty(argv: string[], opts: { cwd: string; env?: Record<string, string> }): PtyRun {
  const proc = Bun.spawn(["python3", "-c", DRIVER, ...argv], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  })
  let text = ""
  let err = ""
  const pump = async (s: ReadableStream<Uint8Array>, sink: (t: string) => void) => {
    const dec = new TextDecoder()
    for await (const chunk of s) sink(dec.decode(chunk, { stream: true }))
  }
  const pumps = Promise.all([pump(proc.stdout, (t) => (text += t)), pump(proc.stderr, (t) => (err += t))])
  const pid = waitFor(() => Number(/^pid (\d+)$/m.exec(err)?.[1] ?? 0), "the pty child's pid", 10_000)
  const run: PtyRun = {
    pid,
    output: () => text,
    waitOutput: (re, timeoutMs = 30_000) => waitFor(() => (re.test(text) ? text : undefined), `terminal output matching ${re}`, timeoutMs),
    ctrlC() {
      proc.stdin.write("\x03")
      proc.stdin.flush()
    },
    exited: proc.exited.then(async (code) => (await pumps, code)),
    async kill() {
      try {
        process.kill(await pid, "SIGKILL")
      } catch {}
    },
  }
  return run
}
