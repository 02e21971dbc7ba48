import { useSearchParams } from "@solidjs/router"

/** URL search params as the single source of truth for a view's filters (deep-linkable). */
export function useParams<K extends string>() {
  const [sp, setSp] = useSearchParams<Record<K, string>>()
  const get = (k: K): string | undefined => {
    const v = sp[k]
    return (Array.isArray(v) ? v[0] : v) || undefined
  }
  const set = (patch: Partial<Record<K, string | undefined | null>>, replace = true) => setSp(patch as Record<string, string>, { replace })
  return { get, set }
}
