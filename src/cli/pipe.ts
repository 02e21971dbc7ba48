/**
 * A reader that goes away (`devrig logs --follow | head -1`) ends devrig quietly, as it ends
 * every Unix tool: no EPIPE stack trace, exit 0.
 *
 * Bun ignores SIGPIPE, so a write to a closed pipe fails with EPIPE instead of killing the
 * process. `process.stdout.write` reports that as an 'error' event a tick later (an uncaught one
 * prints Bun's stack trace and exits 1); `console.log` drops it silently and carries on. Both are
 * covered here: the 'error' events of stdout and stderr are handled, and, for commands that may
 * print nothing for a long time, stdout is polled for the hang-up of its reader (poll(2) reports
 * POLLERR on a pipe, POLLHUP on a socket whose peer closed) so devrig notices without a write.
 *
 * A command that must clean up before it exits (the foreground `start`) handles SIGTERM; it gets
 * SIGTERM instead of an immediate exit, and later EPIPEs during its teardown are ignored.
 */
import { dlopen, FFIType, ptr } from "bun:ffi"
import { fstatSync } from "node:fs"

const POLL_MS = 200
/** Short commands finish before the first poll and never load the FFI. */
const FIRST_POLL_MS = 150
const POLLERR = 0x008
const POLLHUP = 0x010

let closing = false

/** The reader of stdout/stderr went away: end quietly (or let the command's SIGTERM handler clean up). */
export function readerGone(): void {
  if (closing) return
  closing = true
  if (process.listenerCount("SIGTERM") > 0) process.kill(process.pid, "SIGTERM")
  else process.exit(0)
}

function isBrokenPipe(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  return code === "EPIPE" || code === "ECONNRESET" || code === "ERR_STREAM_DESTROYED"
}

/** Installs the handlers; called once, first thing in main.ts. */
export function guardOutput(): void {
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (e: unknown) => {
      if (isBrokenPipe(e) || closing) return readerGone()
      throw e
    })
  if (!_isPipe(1)) return
  const first = setTimeout(() => {
    const closed = _hangupProbe(1)
    if (!closed) return
    const timer = setInterval(() => closed() && readerGone(), POLL_MS)
    timer.unref()
    if (closed()) readerGone()
  }, FIRST_POLL_MS)
  first.unref()
}

/** Only pipes and sockets have a reader that can leave; a file or terminal never reports it. */
function _isPipe(fd: number): boolean {
  try {
    const st = fstatSync(fd)
    return st.isFIFO() || st.isSocket()
  } catch {
    return false
  }
}

/** A function answering "has the reader of `fd` gone?" through poll(2), or undefined where FFI is unavailable. */
function _hangupProbe(fd: number): (() => boolean) | undefined {
  try {
    const libc = process.platform === "darwin" ? "libSystem.B.dylib" : "libc.so.6"
    const lib = dlopen(libc, { poll: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 } })
    // struct pollfd { int fd; short events; short revents; }
    const buf = new Uint8Array(8)
    const view = new DataView(buf.buffer)
    return () => {
      view.setInt32(0, fd, true)
      view.setInt16(4, 0, true)
      view.setInt16(6, 0, true)
      if (lib.symbols.poll(ptr(buf), 1, 0) <= 0) return false
      return (view.getInt16(6, true) & (POLLERR | POLLHUP)) !== 0
    }
  } catch {
    return undefined
  }
}
