import type { IdempotencyStore } from './store.js'

/** Options of the in-process store. */
export interface MemoryIdempotencyStoreOptions {
  /** Keys kept; the least recently claimed goes first. @default 100000 */
  maxEntries?: number
}

/**
 * An in-process store: a bounded LRU whose entries expire. Enough for one consumer process;
 * use `RedisIdempotencyStore` when several processes consume the same queue.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  // A Map iterates in insertion order: re-inserting on claim makes the first key the oldest.
  readonly #expiries = new Map<string, number>()
  readonly #maxEntries: number

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000
  }

  get size(): number {
    return this.#expiries.size
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = Date.now()
    const expiry = this.#expiries.get(key)
    if (expiry !== undefined && expiry > now) return false
    this.#expiries.delete(key)
    this.#expiries.set(key, now + ttlMs)
    while (this.#expiries.size > this.#maxEntries) {
      const oldest = this.#expiries.keys().next().value as string
      this.#expiries.delete(oldest)
    }
    return true
  }

  async release(key: string): Promise<void> {
    this.#expiries.delete(key)
  }
}
