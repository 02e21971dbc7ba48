/**
 * Image pull progress as a few milestone lines per image (started, 25/50/75 %, pulled), so the
 * output reads the same on a terminal, in a pipe and in .devrig/supervisor.log.
 */
import type { PullProgress } from "../docker/images.ts"

interface ImageProgress {
  layers: Map<string, { current: number; total: number }>
  lastShown: number
}

export class PullDisplay {
  private readonly images = new Map<string, ImageProgress>()

  constructor(private readonly info: (text: string) => void) {}

  update(image: string, p: PullProgress): void {
    let ip = this.images.get(image)
    if (!ip) {
      ip = { layers: new Map(), lastShown: -1 }
      this.images.set(image, ip)
      this.info(`pulling ${image}`)
    }
    if (p.layer && p.total) ip.layers.set(p.layer, { current: p.current ?? 0, total: p.total })
    else if (p.layer && /complete|already exists/i.test(p.status)) {
      const l = ip.layers.get(p.layer)
      if (l) l.current = l.total
    }
    let cur = 0
    let tot = 0
    for (const l of ip.layers.values()) {
      cur += l.current
      tot += l.total
    }
    if (!tot) return
    const pct = Math.floor((cur / tot) * 100)
    const step = Math.floor(pct / 25) * 25
    if (step > ip.lastShown && step < 100) {
      ip.lastShown = step
      this.info(`pulling ${image}: ${pct}% of ${(tot / 1e6).toFixed(1)} MB`)
    }
  }

  done(): void {
    for (const image of this.images.keys()) this.info(`pulled ${image}`)
    this.images.clear()
  }
}
