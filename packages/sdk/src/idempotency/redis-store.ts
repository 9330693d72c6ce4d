import type { IdempotencyStore } from './store.js'

/**
 * The two Redis commands the store needs. An ioredis client satisfies it as is, so the SDK
 * carries no Redis dependency.
 */
export interface RedisClientLike {
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<string | null>
  del(key: string): Promise<number>
}

export interface RedisIdempotencyStoreOptions {
  /** Prefix of every key. @default 'warren:idempotency:' */
  prefix?: string
}

/**
 * A store shared by every process that consumes a queue: `SET key 1 PX ttl NX` claims a
 * messageId atomically.
 *
 * @example
 * const store = new RedisIdempotencyStore(new Redis(process.env.REDIS_URL))
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #prefix: string

  constructor(
    private readonly client: RedisClientLike,
    options: RedisIdempotencyStoreOptions = {},
  ) {
    this.#prefix = options.prefix ?? 'warren:idempotency:'
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const reply = await this.client.set(this.#prefix + key, '1', 'PX', Math.max(1, ttlMs), 'NX')
    return reply === 'OK'
  }

  async release(key: string): Promise<void> {
    await this.client.del(this.#prefix + key)
  }
}
