import { Redis } from 'ioredis'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connect,
  defineTopology,
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
  type IdempotencyStore,
} from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
let redis: Redis
// Keys of this run only, so parallel runs never see each other's messageIds.
const prefix = `warren-test:${randomBytes(4).toString('hex')}:`

beforeAll(async () => {
  vhost = await createVhost('sdk-idempotency')
  redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true })
  await redis.connect()
})
afterAll(async () => {
  try {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    redis.disconnect()
  } finally {
    await vhost?.delete()
  }
})

const stores: [string, () => IdempotencyStore][] = [
  ['memory', () => new MemoryIdempotencyStore()],
  ['redis', () => new RedisIdempotencyStore(redis, { prefix })],
]

describe.each(stores)('with the %s store', (kind, makeStore) => {
  const queue = `payments.${kind}`
  const topology = defineTopology({
    queues: { [queue]: { retry: { delays: ['200ms'], maxAttempts: 2 } } },
  })

  it('runs the handler once for a messageId delivered twice, and acks both', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const runs: string[] = []
      await broker.consume(
        queue,
        (msg) => {
          runs.push(msg.messageId)
        },
        { idempotency: { store: makeStore(), ttl: '1m' }, concurrency: 1 },
      )
      await broker.publish('', queue, { n: 1 }, { messageId: `dup-${kind}` })
      await broker.publish('', queue, { n: 1 }, { messageId: `dup-${kind}` })
      await broker.publish('', queue, { n: 2 }, { messageId: `other-${kind}` })
      await waitFor(() => runs.length === 2, 'two handler runs')
      await waitFor(async () => (await vhost.count(queue)) === 0, 'all three acked')
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(runs).toEqual([`dup-${kind}`, `other-${kind}`])
    } finally {
      await broker.close()
    }
  })

  it('forgets a messageId whose handler failed, so its retry runs', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const attempts: number[] = []
      await broker.consume(
        queue,
        (msg) => {
          attempts.push(msg.attempt)
          if (msg.attempt === 1) throw new Error('first try fails')
        },
        { idempotency: { store: makeStore() } },
      )
      await broker.publish('', queue, { n: 3 }, { messageId: `retry-${kind}` })
      await waitFor(() => attempts.length === 2, 'the retry to run')
      expect(attempts).toEqual([1, 2])
    } finally {
      await broker.close()
    }
  })
})

describe('the stores', () => {
  it('MemoryIdempotencyStore claims a key once until it expires, and keeps at most maxEntries', async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 2 })
    expect(await store.claim('a', 50)).toBe(true)
    expect(await store.claim('a', 50)).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(await store.claim('a', 10_000)).toBe(true)
    expect(await store.claim('b', 10_000)).toBe(true)
    expect(await store.claim('c', 10_000)).toBe(true)
    expect(store.size).toBe(2)
    // 'a' was the least recently claimed, so it went first.
    expect(await store.claim('a', 10_000)).toBe(true)
    expect(await store.claim('c', 10_000)).toBe(false)
  })

  it('RedisIdempotencyStore claims with SET NX PX and releases with DEL', async () => {
    const store = new RedisIdempotencyStore(redis, { prefix })
    expect(await store.claim('k', 60_000)).toBe(true)
    expect(await store.claim('k', 60_000)).toBe(false)
    const ttl = await redis.pttl(`${prefix}k`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(60_000)
    await store.release('k')
    expect(await redis.exists(`${prefix}k`)).toBe(0)
    expect(await store.claim('k', 60_000)).toBe(true)
  })
})
