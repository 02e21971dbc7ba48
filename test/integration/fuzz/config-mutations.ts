/**
 * Seeded devrig.toml mutations, shared by the CI test (test/integration/fuzz/config.test.ts) and
 * the long run (bench/fuzz-config.ts, ≥10k). Each takes a valid config's text and breaks it
 * the way a hurried edit (or a bad merge, or a binary paste) does.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { Rng } from "./otlp-cases.ts"

const ROOT = join(import.meta.dir, "..", "..", "..")

/** Valid sources to mutate: the PRD example and a few smaller shapes. */
let _seeds: { name: string; text: string }[] | undefined
export function seeds(): { name: string; text: string }[] {
  return (_seeds ??= [
    { name: "prd-example", text: readFileSync(join(ROOT, "test", "fixtures", "prd-example.toml"), "utf8") },
    { name: "quickstart", text: readFileSync(join(ROOT, "examples", "quickstart", "devrig.toml"), "utf8") },
    {
      name: "services",
      text: `[project]\nname = "fz"\n\n[services.api]\ncommand = "sleep 1"\nport = 3000\nenv = { A = "1", B = 2 }\ndepends_on = ["db"]\nready_check = { type = "http", url = "http://localhost:3000/" }\nstop_timeout = "5s"\n\n[services.db]\ncommand = "sleep 1"\nport = "auto"\nrestart = "always"\nmax_restarts = 3\n\n[env]\nX = "{{ services.api.port }}"\n`,
    },
    {
      name: "docker",
      text: `[project]\nname = "fz"\n\n[docker.pg]\nimage = "postgres:16"\nport = 5432\nvolumes = ["data:/var/lib/postgresql/data"]\nready_check = { type = "pg_isready", timeout = "20s" }\ninit = ["select 1;"]\n\n[docker.mail]\nimage = "mailpit"\nports = { smtp = 1025, ui = "8025:8025" }\n\n[dashboard]\nport = 4000\n[dashboard.otel]\nretention = "30m"\n`,
    },
  ])
}

const VALUES = ['"x"', "42", "-1", "0", "3.5", "true", "[]", '["a", 1]', "{}", '{ a = 1 }', '"auto"', "99999999999999999999", '"{{ nope.x }}"', '"{{"', "1979-05-27T07:32:00Z", '"$UNSET_VAR"', "inf", "nan", '"\\u0000"', `"${"a".repeat(5000)}"`]
const KEYS = ["command", "port", "image", "env", "depends_on", "ready_check", "type", "name", "path", "ports", "restart", "max_restarts", "stop_timeout", "volumes", "init", "enabled", "grpc_port", "agents", "deploy", "bogus", "Port", "project"]
const HEADERS = ["[services.x]", "[docker.y]", "[project]", "[dashboard]", "[dashboard.otel]", "[cluster]", "[[services]]", "[services]", "[env]", "[compose]", "[network]", "[services.api.env]", "[a.b.c.d]", "[]", "[services.]", '["quoted key"]']

type Mutation = (r: Rng, lines: string[], text: string) => string

const garbage = (r: Rng) => String.fromCharCode(...Array.from(r.bytes(1 + r.int(40))))

export const MUTATIONS: Record<string, Mutation> = {
  deleteLine: (r, l) => (l.splice(r.int(l.length), 1), l.join("\n")),
  deleteLines: (r, l) => (l.splice(r.int(l.length), 1 + r.int(6)), l.join("\n")),
  duplicateLine: (r, l) => {
    const i = r.int(l.length)
    l.splice(i, 0, l[i]!)
    return l.join("\n")
  },
  duplicateHeader: (r, l) => {
    const headers = l.filter((x) => /^\s*\[/.test(x))
    return l.join("\n") + "\n" + (headers.length ? r.pick(headers) : "[project]") + '\nname = "dup"\n'
  },
  retypeValue: (r, l) => {
    const idx = l.map((x, i) => (/^\s*[\w"-]+\s*=/.test(x) ? i : -1)).filter((i) => i >= 0)
    if (!idx.length) return l.join("\n")
    const i = r.pick(idx)
    l[i] = l[i]!.replace(/=.*$/, `= ${r.pick(VALUES)}`)
    return l.join("\n")
  },
  renameKey: (r, l) => {
    const idx = l.map((x, i) => (/^\s*[\w-]+\s*=/.test(x) ? i : -1)).filter((i) => i >= 0)
    if (!idx.length) return l.join("\n")
    const i = r.pick(idx)
    l[i] = l[i]!.replace(/^\s*[\w-]+/, r.pick(KEYS))
    return l.join("\n")
  },
  insertKey: (r, l) => (l.splice(r.int(l.length + 1), 0, `${r.pick(KEYS)} = ${r.pick(VALUES)}`), l.join("\n")),
  insertHeader: (r, l) => (l.splice(r.int(l.length + 1), 0, r.pick(HEADERS)), l.join("\n")),
  garbageBytes: (r, _l, t) => {
    const at = r.int(t.length + 1)
    return t.slice(0, at) + garbage(r) + t.slice(at)
  },
  invalidUtf8: (r, _l, t) => {
    const at = r.int(t.length + 1)
    return t.slice(0, at) + "\udc80\ud800\uffff\u0000" + t.slice(at)
  },
  unbalance: (r, _l, t) => {
    const brackets = [...t.matchAll(/[\[\]{}"]/g)].map((m) => m.index!)
    if (!brackets.length) return t + "["
    const at = r.pick(brackets)
    return r.next() < 0.5 ? t.slice(0, at) + t.slice(at + 1) : t.slice(0, at) + t[at]! + t[at]! + t.slice(at + 1)
  },
  truncate: (r, _l, t) => t.slice(0, r.int(t.length)),
  swapLines: (r, l) => {
    const a = r.int(l.length)
    const b = r.int(l.length)
    ;[l[a], l[b]] = [l[b]!, l[a]!]
    return l.join("\n")
  },
  depCycle: (r, l) => l.join("\n") + `\n[services.c1]\ncommand = "x"\ndepends_on = ["c2"]\n[services.c2]\ncommand = "x"\ndepends_on = [${r.pick(['"c1"', '"c2"', '"nope"'])}]\n`,
  portClash: (r, l) => l.join("\n") + `\n[services.p1]\ncommand = "x"\nport = ${r.pick([1, 80, 65535, 65536, 0, 3000])}\n[services.p2]\ncommand = "x"\nport = 3000\n`,
  deepInline: (r, l) => l.join("\n") + `\n[env]\nDEEP = ${"[".repeat(r.pick([10, 100, 1000]))}${"]".repeat(r.pick([10, 100, 1000]))}\n`,
  hugeFile: (r, l) => l.join("\n") + `\n# ${"x".repeat(200_000)}\n` + `[services.many${r.int(1000)}]\ncommand = "x"\n`.repeat(50),
  stacked: (r, l, t) => {
    let out = t
    for (let i = 0; i < 3; i++) {
      const names = Object.keys(MUTATIONS).filter((n) => n !== "stacked" && n !== "hugeFile")
      out = MUTATIONS[r.pick(names)]!(r, out.split("\n"), out)
    }
    return out
  },
}

export function mutate(r: Rng): { seed: string; mutation: string; text: string } {
  const s = r.pick(seeds())
  const mutation = r.pick(Object.keys(MUTATIONS))
  return { seed: s.name, mutation, text: MUTATIONS[mutation]!(r, s.text.split("\n"), s.text) }
}

export type Outcome = { kind: "valid" } | { kind: "problems"; count: number } | { kind: "input-error"; message: string } | { kind: "BUG"; message: string }

/**
 * `devrig validate` in-process: inspect (parse, schema, semantics, dry resolve), then resolve and
 * render the plan as the command does. Problems must be located; anything thrown that is not a
 * devrig input error (exit 1) is what the binary would report as exit 3.
 */
export async function validateInProcess(path: string, source: string): Promise<Outcome> {
  const { inspectConfig, resolveWithPorts } = await import("../../../src/config/load.ts")
  const { assignPorts } = await import("../../../src/config/ports.ts")
  const { readState } = await import("../../../src/project/state.ts")
  const { renderPlan, summaryLine } = await import("../../../src/cli/plan.ts")
  const { isDevrigError } = await import("../../../src/errors.ts")
  try {
    const { loaded, problems } = inspectConfig(path, source)
    if (problems.length) {
      const bad = problems.find((p) => !(p.line >= 1 && p.column >= 1 && p.message.trim().length > 0))
      if (bad) return { kind: "BUG", message: `unlocated problem ${JSON.stringify(bad)}` }
      return { kind: "problems", count: problems.length }
    }
    const cfg = resolveWithPorts(loaded!, assignPorts(loaded!, readState(loaded!.identity.root), false).ports)
    summaryLine(path, cfg)
    renderPlan(cfg, { showSecrets: false })
    return { kind: "valid" }
  } catch (e) {
    if (isDevrigError(e) && e.exitCode === 1) return { kind: "input-error", message: e.message }
    return { kind: "BUG", message: `${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack?.split("\n").slice(1, 4).join("\n")}` }
  }
}
