/** What each OS backend answers. Pids are numbers; a start time is the backend's own unit. */
export interface ProcessEntry {
  pid: number
  ppid: number
  pgid: number
  zombie: boolean
}

export interface Backend {
  readonly name: "linux" | "portable"
  /** every process (zombies flagged) */
  table(): ProcessEntry[]
  /** one process: zombie or not, and its start time (Linux: clock ticks since boot; portable: epoch seconds) */
  stat(pid: number): { zombie: boolean; startTime: number } | undefined
  /** live processes whose environment (as exec'd) has `NAME=value` (exact) or `NAME=value…` (prefix) */
  withEnv(assignment: string, prefix: boolean): number[]
  /** processes with `arg` as one of their arguments */
  withArg(arg: string): number[]
  /** the command line, arguments joined by spaces ("?" when unknown) */
  commandLine(pid: number): string
  /** the process listening on TCP `port` (any address) */
  portHolderPid(port: number): number | undefined
  /** the path of the program file a process runs */
  executable(pid: number): string | undefined
}
