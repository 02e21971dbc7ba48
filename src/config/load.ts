/**
 * Finding, reading and checking devrig.toml: discover → read → parse → schema → semantics →
 * resolve (dry). Every problem is collected and reported at once, located at LINE:COL.
 */
import { existsSync, readFileSync, statSync } from "node:fs"
import { dirname, isAbsolute, join, resolve as resolvePath } from "node:path"
import { parse, TomlError } from "smol-toml"
import { InputError } from "../errors.ts"
import { identity, type Identity } from "../project/identity.ts"
import { readState } from "../project/state.ts"
import { checkSchema } from "./check-schema.ts"
import { Locator } from "./locate.ts"
import { assignPorts } from "./ports.ts"
import { ConfigError, locateProblems, type LocatedProblem, type Problem } from "./problems.ts"
import type { ResolvedConfig } from "./resolved.ts"
import { resolveConfig } from "./resolve.ts"
import { Config } from "./schema.ts"
import { semanticProblems, type CheckContext } from "./validate.ts"

import type { LoadedConfig } from "./loaded.ts"

export type { LoadedConfig }

export const CONFIG_NAME = "devrig.toml"


export interface LoadOptions {
  file?: string
  cwd?: string
}

/** The project's root: where devrig.toml is (`-f FILE`, else found from cwd), else cwd itself. */
export function projectDirOrCwd(file?: string): string {
  if (file) return dirname(findConfigFile({ file }))
  try {
    return dirname(findConfigFile())
  } catch {
    return process.cwd()
  }
}

/** `-f FILE` (relative to cwd) or devrig.toml found from cwd walking up. */
export function findConfigFile(opts: LoadOptions = {}): string {
  const cwd = opts.cwd ?? process.cwd()
  if (opts.file) {
    const p = isAbsolute(opts.file) ? opts.file : resolvePath(cwd, opts.file)
    if (!existsSync(p)) throw new InputError(`Config file not found: ${p}`)
    if (statSync(p).isDirectory()) throw new InputError(`Config file is a directory: ${p}`)
    return p
  }
  for (let dir = resolvePath(cwd); ; dir = dirname(dir)) {
    const p = join(dir, CONFIG_NAME)
    if (existsSync(p)) return p
    if (dirname(dir) === dir) break
  }
  throw new InputError(`No devrig.toml found in ${cwd} or any parent directory`, {
    hint: "Run `devrig init` to create one, or pass -f <file>",
  })
}

/** Reads and checks the config; throws ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const path = findConfigFile(opts)
  const { loaded, problems } = inspectConfig(path)
  if (problems.length) throw new ConfigError(path, problems, loaded?.locator ?? new Locator(readFileSync(path, "utf8")))
  return loaded!
}

/**
 * Like loadConfig, but returns the problems instead of throwing (the dashboard's config view,
 * hot reload). `loaded` is undefined when the file cannot be parsed at all.
 */
export function inspectConfig(path: string, sourceOverride?: string): { loaded?: LoadedConfig; problems: LocatedProblem[] } {
  let source: string
  try {
    source = sourceOverride ?? readFileSync(path, "utf8")
  } catch (e) {
    throw new InputError(`Cannot read ${path}: ${(e as Error).message}`)
  }
  const locator = new Locator(source)
  let data: unknown
  try {
    data = parse(source)
  } catch (e) {
    if (e instanceof TomlError) {
      const message = `invalid TOML: ${e.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "")}`
      return { problems: [{ line: e.line, column: e.column, message }] }
    }
    throw e
  }
  const problems: Problem[] = checkSchema(Config, data)
  const config = data as Config
  const ctx: CheckContext = { composeServices: readComposeServices(dirname(path), config) }
  // Semantic checks run even when the schema check failed, so every problem is reported at once;
  // a check that trips over a mistyped value simply contributes nothing.
  problems.push(...semanticProblems(config, ctx))
  const name = typeof config.project?.name === "string" ? config.project.name : "project"
  const loaded: LoadedConfig = { path, source, config, identity: identity(name, path), locator, ctx }
  if (problems.length === 0) {
    // A dry resolve surfaces env-file and $VAR problems, using the ports a start would try first.
    const dry = tryResolve(loaded, assignPorts(loaded, readState(loaded.identity.root), false).ports)
    problems.push(...dry.problems)
  }
  return { loaded, problems: locateProblems(problems, locator) }
}

function tryResolve(loaded: LoadedConfig, ports: Record<string, number>): { config?: ResolvedConfig; problems: Problem[] } {
  const problems: Problem[] = []
  const config = resolveConfig(loaded, ports, problems)
  return { config: problems.length ? undefined : config, problems }
}

/** Resolves with the given port assignment; throws ConfigError on env/template problems. */
export function resolveWithPorts(loaded: LoadedConfig, ports: Record<string, number>): ResolvedConfig {
  const { config, problems } = tryResolve(loaded, ports)
  if (!config) throw new ConfigError(loaded.path, locateProblems(problems, loaded.locator), loaded.locator)
  return config
}

/**
 * Load + resolve for commands that need the resolved model but start nothing: auto ports come
 * from state (or their first candidate) without probing.
 */
export async function loadProject(opts: LoadOptions = {}): Promise<{ loaded: LoadedConfig; config: ResolvedConfig }> {
  const loaded = loadConfig(opts)
  const { ports } = assignPorts(loaded, readState(loaded.identity.root), false)
  return { loaded, config: resolveWithPorts(loaded, ports) }
}

function readComposeServices(root: string, c: Config): string[] {
  const file = c.compose?.file
  if (!file || typeof file !== "string" || isAbsolute(file)) return []
  try {
    const doc = Bun.YAML.parse(readFileSync(join(root, file), "utf8")) as { services?: Record<string, unknown> }
    return Object.keys(doc?.services ?? {})
  } catch {
    return []
  }
}
