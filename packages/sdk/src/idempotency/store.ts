/**
 * Where a consumer records the messageIds it has handled, so a duplicate delivery skips its
 * handler. `MemoryIdempotencyStore` and `RedisIdempotencyStore` implement it; so can any database.
 */
export interface IdempotencyStore {
  /** Records `key` for `ttlMs` unless present; true when this call recorded it (run the handler). */
  claim(key: string, ttlMs: number): Promise<boolean>
  /** Forgets `key`, so that a retry of a failed message runs the handler again. */
  release(key: string): Promise<void>
}
