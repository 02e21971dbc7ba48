// How much slower than an empty compiled Bun program does `devrig --version` start?
// Both are timed from outside by the same small spawner (C, posix_spawn + waitpid, compiled with
// `cc`; a python3 loop with os.posix_spawn when no compiler exists), alternating A and B run by
// run so machine noise hits both alike, after a warm-up. Timing with Bun.spawnSync instead adds
// ~10 ms of spawner overhead to both sides and hides the ratio (it used to report 1.13 for 3.5×).
// The hello-world is built by the same Bun.build call as scripts/build.ts (compile, minify, bytecode,
// ESM, splitting): the `bun build` CLI embeds a different start-up and is several ms slower.
// Prints medians, spread and the ratio of medians; exits 1 above the target (≤ 2.5).
//   bun bench/cli-startup.ts [runs]      (build dist/devrig first: ./scripts/build)
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const RUNS = Number(process.argv[2] ?? 200)
const TARGET = 2.5
const devrig = join(import.meta.dir, "..", "dist", "devrig")
if (!existsSync(devrig)) {
  console.error(`${devrig} is missing: run ./scripts/build first`)
  process.exit(1)
}

// argv: runs, then the two command lines separated by "--"; prints "A <ns>" / "B <ns>" per run.
const TIMER_C = String.raw`
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
extern char **environ;
static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long run(char **argv) {
  posix_spawn_file_actions_t fa; posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  long long t = now(); pid_t pid; int st;
  if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) { perror("posix_spawn"); exit(2); }
  waitpid(pid, &st, 0);
  long long d = now() - t;
  posix_spawn_file_actions_destroy(&fa);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "%s failed\n", argv[0]); exit(2); }
  return d;
}
int main(int argc, char **argv) {
  int runs = atoi(argv[1]); char **a = argv + 2; char **b = a;
  while (*b && strcmp(*b, "--") != 0) b++;
  *b++ = NULL;
  for (int i = 0; i < 5; i++) { run(a); run(b); }
  for (int i = 0; i < runs; i++) {
    if (i % 2) { printf("B %lld\n", run(b)); printf("A %lld\n", run(a)); }
    else { printf("A %lld\n", run(a)); printf("B %lld\n", run(b)); }
  }
  return 0;
}
`

const TIMER_PY = `
import os, sys, time
runs = int(sys.argv[1]); rest = sys.argv[2:]; i = rest.index("--"); a, b = rest[:i], rest[i + 1:]
null = os.open("/dev/null", os.O_WRONLY)
def run(argv):
    t = time.monotonic_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
    _, st = os.waitpid(pid, 0)
    d = time.monotonic_ns() - t
    if os.waitstatus_to_exitcode(st) != 0: sys.exit(argv[0] + " failed")
    return d
for _ in range(5): run(a); run(b)
for n in range(runs):
    for k in (("B", "A") if n % 2 else ("A", "B")):
        print(k, run(a if k == "A" else b))
`

const dir = mkdtempSync(join(tmpdir(), "devrig-bench-"))
try {
  const src = join(dir, "hello.ts")
  const hello = join(dir, "hello")
  // console.log, the cheapest way to print here: `process.stdout.write` builds the stdout stream
  // on first use and made the baseline ~8 ms slower than devrig itself (a too-easy target)
  writeFileSync(src, 'console.log("hello 0.0.0")\n')
  const build = await Bun.build({ entrypoints: [src], compile: { target: "bun-linux-x64", outfile: hello }, minify: true, bytecode: true, format: "esm", splitting: true })
  if (!build.success) throw new Error(`building the hello-world failed:\n${build.logs.join("\n")}`)

  let timer: string[]
  let spawner: string
  writeFileSync(join(dir, "timer.c"), TIMER_C)
  const cc = Bun.which("cc") ?? Bun.which("gcc")
  if (cc && Bun.spawnSync([cc, "-O2", "-o", join(dir, "timer"), join(dir, "timer.c")], { stderr: "inherit" }).exitCode === 0) {
    timer = [join(dir, "timer")]
    spawner = "C posix_spawn"
  } else {
    writeFileSync(join(dir, "timer.py"), TIMER_PY)
    timer = ["python3", join(dir, "timer.py")]
    spawner = "python3 os.posix_spawn"
  }
  const out = Bun.spawnSync([...timer, String(RUNS), hello, "--", devrig, "--version"], { stdout: "pipe", stderr: "inherit" })
  if (out.exitCode !== 0) throw new Error(`the timer exited ${out.exitCode}`)
  const a: number[] = []
  const b: number[] = []
  for (const line of out.stdout.toString().trim().split("\n")) {
    const [k, ns] = line.split(" ")
    ;(k === "A" ? a : b).push(Number(ns) / 1e6)
  }

  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((x, y) => x - y)
    const i = (s.length - 1) * p
    return s[Math.floor(i)]! + (s[Math.ceil(i)]! - s[Math.floor(i)]!) * (i - Math.floor(i))
  }
  const ma = q(a, 0.5)
  const mb = q(b, 0.5)
  const ratio = mb / ma
  const row = (name: string, xs: number[]) =>
    `  ${name.padEnd(22)} median ${q(xs, 0.5).toFixed(2).padStart(6)} ms   p10–p90 ${q(xs, 0.1).toFixed(2)}–${q(xs, 0.9).toFixed(2)} ms   (${xs.length} runs)`
  console.log(`CLI startup (spawn to exit, ${spawner}, A/B alternating)`)
  console.log(row("hello-world (compiled)", a))
  console.log(row("devrig --version", b))
  console.log(`  ratio ${ratio.toFixed(2)} (target ≤ ${TARGET}) ${ratio <= TARGET ? "ok" : "OVER TARGET"}`)
  process.exitCode = ratio <= TARGET ? 0 : 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
