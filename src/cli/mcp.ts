/**
 * `devrig mcp` serves the Model Context Protocol over stdio for the project found from the
 * working directory (or -f); `devrig mcp install [--global]` registers it with Claude Code.
 * The SDK is imported only when serving, so `mcp install` (and every other command) pays
 * nothing for it.
 */
import { defineCommand } from "citty"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import pkg from "../../package.json" with { type: "json" }
import { findConfigFile, projectDirOrCwd } from "../config/load.ts"
import { home } from "../env.ts"
import { InputError } from "../errors.ts"
import { globalOptions } from "./context.ts"
import { c, println } from "./output.ts"

/** The server entry Claude Code (and other clients) start: `devrig mcp` from the project's directory. */
export const SERVER_ENTRY = { type: "stdio", command: "devrig", args: ["mcp"] } as const

/**
 * Adds (or updates) mcpServers.devrig in a JSON config file, keeping everything else in it.
 * Returns what happened to the file.
 */
export function writeServerEntry(file: string): "created" | "updated" | "unchanged" {
  let doc: Record<string, unknown> = {}
  const exists = existsSync(file)
  if (exists) {
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object")
      doc = parsed as Record<string, unknown>
    } catch (e) {
      throw new InputError(`cannot add devrig to ${file}: ${(e as Error).message}`, { hint: "fix or move the file, then run this again" })
    }
  }
  const servers = (doc.mcpServers && typeof doc.mcpServers === "object" ? doc.mcpServers : {}) as Record<string, unknown>
  if (JSON.stringify(servers.devrig) === JSON.stringify(SERVER_ENTRY)) return "unchanged"
  doc.mcpServers = { ...servers, devrig: SERVER_ENTRY }
  try {
    writeFileSync(file, JSON.stringify(doc, null, 2) + "\n")
  } catch (e) {
    throw new InputError(`cannot write ${file}: ${(e as Error).message}`)
  }
  return exists ? "updated" : "created"
}

const install = defineCommand({
  meta: { name: "install", description: "Register the MCP server with Claude Code: .mcp.json of this project (--global: ~/.claude.json)" },
  args: { global: { type: "boolean", description: "Register it for every project (user-level ~/.claude.json)" } },
  run({ args }) {
    const file = args.global ? join(home(), ".claude.json") : join(projectDirOrCwd(globalOptions.file), ".mcp.json")
    const change = writeServerEntry(file)
    println(`${c.green("✓")} devrig MCP server ${change === "unchanged" ? "already registered" : "registered"} in ${file}${change === "unchanged" ? "" : ` (${change})`}`)
    println(`  ${c.dim("Claude Code starts `devrig mcp` in the project directory; other clients: see docs/guides/mcp.md")}`)
    return 0
  },
})

export default defineCommand({
  meta: { name: "mcp", description: "Serve the Model Context Protocol over stdio for this project (tools: status, traces, logs, metrics, wait, restart…)" },
  subCommands: { install },
  async run({ rawArgs }) {
    // citty runs this after a sub-command too
    if (rawArgs.some((a) => !a.startsWith("-"))) return
    const configPath = findConfigFile({ file: globalOptions.file })
    const { serveMcp } = await import("./mcp-server.ts")
    await serveMcp({ configPath }, pkg.version)
    return 0
  },
})
