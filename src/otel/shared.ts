/**
 * One shared copy of the resource, scope and attribute bags that many spans and log records
 * carry: a batch's items all point at the same object, and so do later batches of the same
 * SDK. Each table is bounded; when full it starts over (items keep the objects they hold).
 */
import { attributesKey } from "./attrs.ts"
import { intern } from "./compact.ts"
import type { Attributes } from "./model.ts"
import type { ResourceInfo } from "./store-traces.ts"

const resources = new Map<string, ResourceInfo>()
const scopes = new Map<string, { name: string; version?: string }>()
const MAX_SHARED = 10_000

let lastAttrs: [Attributes, Attributes] | undefined
const attrBags = new Map<string, Attributes>()

/** One shared copy of an attribute bag that many records carry (a log record's resource). */
export function sharedAttrs(a: Attributes): Attributes {
  if (lastAttrs?.[0] === a) return lastAttrs[1]
  const key = attributesKey(a)
  let out = attrBags.get(key)
  if (!out) {
    if (attrBags.size >= MAX_SHARED) attrBags.clear()
    attrBags.set(key, (out = a))
  }
  lastAttrs = [a, out]
  return out
}

let lastResource: [ResourceInfo, ResourceInfo] | undefined
let lastScope: [object, { name: string; version?: string }] | undefined

export function sharedResource(r: ResourceInfo): ResourceInfo {
  // ingest hands every item of a batch the same resource object: look it up once
  if (lastResource?.[0] === r) return lastResource[1]
  const key = r.service + "\u0000" + attributesKey(r.attributes)
  let out = resources.get(key)
  if (!out) {
    if (resources.size >= MAX_SHARED) resources.clear()
    out = { service: intern(r.service), attributes: r.attributes }
    resources.set(key, out)
  }
  lastResource = [r, out]
  return out
}

export function sharedScope(s: { name: string; version?: string }): { name: string; version?: string } {
  if (lastScope?.[0] === s) return lastScope[1]
  const key = s.name + "\u0000" + (s.version ?? "")
  let out = scopes.get(key)
  if (!out) {
    if (scopes.size >= MAX_SHARED) scopes.clear()
    out = s.version ? { name: intern(s.name), version: s.version } : { name: intern(s.name) }
    scopes.set(key, out)
  }
  lastScope = [s, out]
  return out
}

