// Generates src/otel/gen/ (protobuf-es TypeScript for OTLP) from the opentelemetry-proto v1.7.0
// files that the dd-trace dev dependency ships. Offline: buf and protoc-gen-es come from
// node_modules. The .proto files are copied to a temp dir only for the run, never committed.
// Skips in a few ms when a stamp (hash of inputs + generator versions) matches.
import { createHash } from "node:crypto"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = join(import.meta.dir, "..")
const protoDir = join(root, "node_modules", "dd-trace", "packages", "dd-trace", "src", "opentelemetry", "otlp")
const outDir = join(root, "src", "otel", "gen")
const stampFile = join(outDir, ".stamp")
const bin = (name: string) => join(root, "node_modules", ".bin", name)

function inputsHash(): string {
  const h = createHash("sha256")
  for (const f of readdirSync(protoDir).filter((f) => f.endsWith(".proto")).sort()) {
    h.update(f).update(readFileSync(join(protoDir, f)))
  }
  for (const pkg of ["@bufbuild/protoc-gen-es", "@bufbuild/protobuf"]) {
    h.update(JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")).version)
  }
  h.update(readFileSync(import.meta.path))
  return h.digest("hex")
}

export async function genProto(): Promise<"fresh" | "generated"> {
  if (!existsSync(protoDir)) throw new Error(`OTLP .proto files not found at ${protoDir} (is dd-trace installed?)`)
  const hash = inputsHash()
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash) return "fresh"

  const work = mkdtempSync(join(tmpdir(), "devrig-proto-"))
  try {
    const src = join(work, "proto")
    mkdirSync(src)
    for (const f of readdirSync(protoDir).filter((f) => f.endsWith(".proto"))) cpSync(join(protoDir, f), join(src, f))
    writeFileSync(join(work, "buf.yaml"), "version: v2\nmodules:\n  - path: proto\n")
    const tmpOut = join(work, "out")
    writeFileSync(
      join(work, "buf.gen.yaml"),
      [
        "version: v2",
        "plugins:",
        `  - local: ${JSON.stringify(bin("protoc-gen-es"))}`,
        `    out: ${JSON.stringify(tmpOut)}`,
        "    opt:",
        "      - target=ts",
        "      - import_extension=ts",
        "",
      ].join("\n"),
    )
    const proc = Bun.spawn([bin("buf"), "generate"], { cwd: work, stdout: "pipe", stderr: "pipe" })
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
    if (code !== 0) throw new Error(`buf generate failed (${code}): ${err}`)
    rmSync(outDir, { recursive: true, force: true })
    mkdirSync(outDir, { recursive: true })
    cpSync(tmpOut, outDir, { recursive: true })
    writeFileSync(stampFile, hash)
    return "generated"
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const result = await genProto()
  if (result === "generated") console.log(`  generated ${outDir}`)
}
