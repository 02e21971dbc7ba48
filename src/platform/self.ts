/**
 * How to run this program again (the detached supervisor, its watchdog): the compiled binary, or
 * `bun src/main.ts` when run from source.
 */
export function selfCommand(): string[] {
  // A compiled binary has its bundle at /$bunfs/…; under `bun src/main.ts` the script is argv[1].
  const script = process.argv[1]
  // When the binary is replaced while this process runs (an upgrade, a rebuild), Linux reports
  // the old inode as "<path> (deleted)"; the file now at <path> is the one to run.
  const exe = process.execPath.replace(/ \(deleted\)$/, "")
  return script && !script.startsWith("/$bunfs/") ? [exe, script] : [exe]
}
