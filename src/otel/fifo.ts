/**
 * A growable circular queue: O(1) push/shift, index access from the oldest item, and binary
 * search over a key that is non-decreasing in insertion order (arrival time). The stores use
 * it for their ring buffers and per-service indexes.
 */
export class Fifo<T> {
  private buf: (T | undefined)[]
  private head = 0
  private len = 0

  constructor(initialCapacity = 16) {
    this.buf = new Array(Math.max(2, initialCapacity))
  }

  get length(): number {
    return this.len
  }

  push(item: T): void {
    if (this.len === this.buf.length) this.grow()
    this.buf[(this.head + this.len) % this.buf.length] = item
    this.len++
  }

  shift(): T | undefined {
    if (this.len === 0) return undefined
    const item = this.buf[this.head]
    this.buf[this.head] = undefined
    this.head = (this.head + 1) % this.buf.length
    this.len--
    return item
  }

  peek(): T | undefined {
    return this.len === 0 ? undefined : this.buf[this.head]
  }

  /** i = 0 is the oldest item. */
  at(i: number): T {
    return this.buf[(this.head + i) % this.buf.length] as T
  }

  clear(): void {
    this.buf = new Array(16)
    this.head = 0
    this.len = 0
  }

  /** Index of the first item whose key is >= k, assuming keys are non-decreasing. */
  lowerBound(key: (item: T) => number, k: number): number {
    let lo = 0
    let hi = this.len
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (key(this.at(mid)) < k) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Newest to oldest, down to index `from`. Stop early by returning false. */
  eachNewest(fn: (item: T) => boolean | void, from = 0): void {
    for (let i = this.len - 1; i >= from; i--) if (fn(this.at(i)) === false) return
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.buf.length * 2)
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) % this.buf.length]
    this.buf = next
    this.head = 0
  }
}
