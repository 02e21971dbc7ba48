/**
 * Config test helpers: write a devrig.toml into a unique temp project and run the real loader on
 * it, so positions, relative paths and env files behave exactly as for a user.
 */
import { inspectConfig, type LoadedConfig } from "../../../src/config/load.ts"
import type { LocatedProblem } from "../../../src/config/problems.ts"
import { tempProject, type TempProject } from "../../helpers/cli.ts"

export const MINIMAL = `[project]
name = "demo"
`

export interface Inspected {
  project: TempProject
  path: string
  loaded?: LoadedConfig
  problems: LocatedProblem[]
  /** "LINE:COL message" per problem, in file order */
  lines: string[]
}

export function inspect(toml: string, files: Record<string, string> = {}): Inspected {
  const project = tempProject(toml, files)
  const path = `${project.dir}/devrig.toml`
  const { loaded, problems } = inspectConfig(path)
  return { project, path, loaded, problems, lines: problems.map((p) => `${p.line}:${p.column} ${p.message}`) }
}

/** The problems of a config that is expected to be valid otherwise (a [project] block is prepended). */
export function problemsOf(body: string, files: Record<string, string> = {}): string[] {
  return inspect(MINIMAL + body, files).lines
}
