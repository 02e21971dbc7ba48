// Project identity: the hash of the canonical config path, the slug, resource names and labels.
import { describe, expect, test } from "bun:test"
import { createHash } from "node:crypto"
import { mkdirSync, symlinkSync } from "node:fs"
import { join } from "node:path"
import { canonicalPath, identity, labels, names, projectId, statePaths } from "../../../src/project/identity.ts"
import { tempProject } from "../../helpers/cli.ts"

const TOML = `[project]\nname = "myapp"\n`

describe("identity", () => {
  test("id is sha256 of the canonical config path, first 8 hex digits", () => {
    const p = tempProject(TOML)
    const file = join(p.dir, "devrig.toml")
    expect(projectId(file)).toBe(createHash("sha256").update(file).digest("hex").slice(0, 8))
    expect(identity("myapp", file)).toEqual({
      name: "myapp",
      id: projectId(file),
      slug: `myapp-${projectId(file)}`,
      configPath: file,
      root: p.dir,
    })
  })

  test("the same path always gives the same slug", () => {
    const file = join(tempProject(TOML).dir, "devrig.toml")
    expect(identity("myapp", file).slug).toBe(identity("myapp", file).slug)
  })

  test("two checkouts with the same project name get different slugs", () => {
    const a = identity("myapp", join(tempProject(TOML).dir, "devrig.toml"))
    const b = identity("myapp", join(tempProject(TOML).dir, "devrig.toml"))
    expect(a.slug).not.toBe(b.slug)
    expect(a.slug.startsWith("myapp-") && b.slug.startsWith("myapp-")).toBe(true)
  })

  test("two config files in one folder (-f) are two projects", () => {
    const p = tempProject(TOML, { "devrig.minimal.toml": TOML })
    expect(identity("myapp", join(p.dir, "devrig.toml")).id).not.toBe(identity("myapp", join(p.dir, "devrig.minimal.toml")).id)
  })

  test("a symlinked path resolves to the canonical one", () => {
    const p = tempProject(TOML)
    const links = tempProject().dir
    symlinkSync(p.dir, join(links, "dir-link"))
    symlinkSync(join(p.dir, "devrig.toml"), join(links, "file-link.toml"))
    const real = identity("myapp", join(p.dir, "devrig.toml"))
    expect(identity("myapp", join(links, "dir-link", "devrig.toml"))).toEqual(real)
    expect(identity("myapp", join(links, "file-link.toml"))).toEqual(real)
  })

  test("a relative or dotted path canonicalises too", () => {
    const p = tempProject(TOML)
    mkdirSync(join(p.dir, "sub"))
    expect(canonicalPath(join(p.dir, "sub", "..", "devrig.toml"))).toBe(join(p.dir, "devrig.toml"))
  })

  test("a path that does not exist is used as given", () => {
    expect(canonicalPath("/no/such/devrig.toml")).toBe("/no/such/devrig.toml")
  })
})

describe("names", () => {
  const slug = "myapp-a3f1c9e2"
  test("every resource follows the PRD's naming table", () => {
    expect(names.container(slug, "postgres")).toBe("devrig-myapp-a3f1c9e2-postgres")
    expect(names.network(slug)).toBe("devrig-myapp-a3f1c9e2-net")
    expect(names.volume(slug, "pgdata")).toBe("devrig-myapp-a3f1c9e2-pgdata")
    expect(names.cluster(slug)).toBe("devrig-myapp-a3f1c9e2")
    expect(names.registry(slug)).toBe("devrig-myapp-a3f1c9e2-registry")
    expect(names.composeProject(slug)).toBe("devrig-myapp-a3f1c9e2")
  })

  test("labels carry the slug, the config path and the service", () => {
    const ident = identity("myapp", "/no/such/devrig.toml")
    expect(labels(ident)).toEqual({ "devrig.project": ident.slug, "devrig.config": "/no/such/devrig.toml" })
    expect(labels(ident, "postgres")["devrig.service"]).toBe("postgres")
  })
})

describe("statePaths", () => {
  test("everything lives under .devrig/ next to the config", () => {
    const paths = statePaths("/code/myapp")
    expect(paths.dir).toBe("/code/myapp/.devrig")
    for (const p of Object.values(paths)) expect(p.startsWith("/code/myapp/.devrig")).toBe(true)
    expect(paths.state).toBe("/code/myapp/.devrig/state.json")
    expect(paths.kubeconfig).toBe("/code/myapp/.devrig/kubeconfig")
    expect(paths.socket).toBe("/code/myapp/.devrig/control.sock")
  })
})
