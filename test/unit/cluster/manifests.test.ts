import { describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { imageRepository, manifestFiles, parseManifests, readManifests, rolloutTargets, substituteImages, toApplyInput } from "../../../src/cluster/manifests.ts"
import { InputError } from "../../../src/errors.ts"

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: web }
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: api:latest
      containers:
        - name: api
          image: api
        - name: sidecar
          image: envoyproxy/envoy:v1.30
---
apiVersion: v1
kind: Service
metadata: { name: api }
spec: { ports: [{ port: 80 }] }
---
`

describe("manifests", () => {
  test("multi-document streams parse; empty documents are dropped; a List is flattened", () => {
    expect(parseManifests(DEPLOYMENT).map((d) => d.kind)).toEqual(["Deployment", "Service"])
    const list = JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ kind: "ConfigMap", metadata: { name: "a" } }, { kind: "Secret", metadata: { name: "b" } }] })
    expect(parseManifests(list).map((d) => d.kind)).toEqual(["ConfigMap", "Secret"])
  })

  test("a document that is not an object, or invalid YAML, is an InputError naming the file", () => {
    expect(() => parseManifests("- a\n- b\n", "x.yaml")).toThrow(InputError)
    expect(() => parseManifests("a: [", "bad.yaml")).toThrow(/bad.yaml/)
  })

  test("image repository strips tag and digest but keeps a registry port", () => {
    expect(imageRepository("api")).toBe("api")
    expect(imageRepository("api:latest")).toBe("api")
    expect(imageRepository("localhost:5000/team/api:1.2")).toBe("localhost:5000/team/api")
    expect(imageRepository("localhost:5000/api")).toBe("localhost:5000/api")
    expect(imageRepository("api@sha256:abc")).toBe("api")
  })

  test("only containers whose image is the deploy name are replaced, init containers included", () => {
    const docs = parseManifests(DEPLOYMENT)
    const { docs: out, replaced } = substituteImages(docs, { api: "k3d-reg:5123/api:dev-1" })
    expect(replaced).toBe(2)
    const spec = (out[0] as any).spec.template.spec
    expect(spec.initContainers[0].image).toBe("k3d-reg:5123/api:dev-1")
    expect(spec.containers.map((c: any) => c.image)).toEqual(["k3d-reg:5123/api:dev-1", "envoyproxy/envoy:v1.30"])
    // the input objects are not mutated (watch mode re-reads, but callers may keep them)
    expect((docs[0] as any).spec.template.spec.containers[0].image).toBe("api")
  })

  test("an image field outside a container list is not touched", () => {
    const { replaced } = substituteImages([{ kind: "ConfigMap", data: { image: "api" } } as any], { api: "x" })
    expect(replaced).toBe(0)
  })

  test("rollout targets are the workloads, with their namespace", () => {
    const docs = parseManifests(DEPLOYMENT + "\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: db }\n")
    expect(rolloutTargets(docs)).toEqual([
      { kind: "Deployment", name: "api", namespace: "web" },
      { kind: "StatefulSet", name: "db", namespace: undefined },
    ])
  })

  test("apply input is one List document kubectl can read from stdin", () => {
    const input = JSON.parse(toApplyInput(parseManifests(DEPLOYMENT)))
    expect(input.kind).toBe("List")
    expect(input.items).toHaveLength(2)
  })

  test("a manifests directory yields its yaml/yml/json files in name order", () => {
    const dir = mkdtempSync(join(tmpdir(), "devrig-manifests-"))
    writeFileSync(join(dir, "b.yml"), "kind: Service\nmetadata: {name: b}\n")
    writeFileSync(join(dir, "a.yaml"), "kind: Deployment\nmetadata: {name: a}\n")
    writeFileSync(join(dir, "c.json"), '{"kind":"ConfigMap","metadata":{"name":"c"}}')
    writeFileSync(join(dir, "README.md"), "# not a manifest")
    mkdirSync(join(dir, "nested"))
    expect(manifestFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual(["a.yaml", "b.yml", "c.json"])
    expect(readManifests(dir).map((d) => d.metadata?.name)).toEqual(["a", "b", "c"])
    expect(manifestFiles(join(dir, "a.yaml"))).toEqual([join(dir, "a.yaml")])
  })

  test("missing or empty manifest locations are InputErrors", () => {
    const dir = mkdtempSync(join(tmpdir(), "devrig-manifests-"))
    expect(() => manifestFiles(join(dir, "nope"))).toThrow(/manifests not found/)
    expect(() => manifestFiles(dir)).toThrow(/no .yaml/)
  })
})
