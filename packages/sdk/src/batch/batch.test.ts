import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { connect, defineTopology, HEADERS, NonRetryableError, WarrenError } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-batch')
})
afterAll(async () => {
  await vhost?.delete()
})

const retry = { delays: ['200ms'], maxAttempts: 3 } as const
const topology = defineTopology({
  queues: {
    'search.index': { retry },
    'search.partial': { retry },
    'search.crash': { retry },
  },
  messages: { doc: z.object({ id: z.string() }) },
})

function docs(queue: string, ids: string[]) {
  return ids.map((id) => ({ exchange: '', routingKey: queue, body: { id } }))
}

describe('batch consumers', () => {
  it('hands the handler full batches of size, then what arrived within wait', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const ids = Array.from({ length: 12 }, (_, i) => `d-${i + 1}`)
      await broker.publishBatch(docs('search.index', ids))
      const batches: string[][] = []
      await broker.consumeBatch(
        'search.index',
        (batch) => {
          batches.push(batch.map((msg) => (msg.body as { id: string }).id))
        },
        { size: 5, wait: '300ms' },
      )
      await waitFor(() => batches.flat().length === 12, 'every document')
      expect(batches.map((b) => b.length)).toEqual([5, 5, 2])
      expect(batches.flat()).toEqual(ids)
      await waitFor(async () => (await vhost.count('search.index')) === 0, 'the acks')
    } finally {
      await broker.close()
    }
  })

  it('retries only the message whose outcome is an Error and acks the rest once', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      await broker.publishBatch(docs('search.partial', ['a', 'b', 'c', 'd']))
      const seen: string[] = []
      await broker.consumeBatch(
        'search.partial',
        (batch) =>
          batch.map((msg) => {
            const { id } = msg.body as { id: string }
            seen.push(`${id}#${msg.attempt}`)
            if (id === 'b' && msg.attempt === 1) return new Error('index shard busy')
            if (id === 'd') return new NonRetryableError('document too large')
            return 'ack'
          }),
        { size: 4, wait: '300ms' },
      )
      await waitFor(() => seen.includes('b#2'), 'the retry of b')
      await waitFor(
        async () => (await vhost.count('search.partial.dlq')) === 1,
        'the dead letter of d',
      )
      expect(seen).toEqual(['a#1', 'b#1', 'c#1', 'd#1', 'b#2'])
      const [dead] = await vhost.drain('search.partial.dlq')
      expect(JSON.parse(dead?.content.toString() ?? '')).toEqual({ id: 'd' })
      expect(dead?.properties.headers).toMatchObject({
        [HEADERS.deadLetterReason]: 'non-retryable',
        [HEADERS.errorMessage]: 'document too large',
      })
      await waitFor(async () => (await vhost.count('search.partial')) === 0, 'the acks')
      expect(await vhost.count('search.partial.retry.200ms')).toBe(0)
    } finally {
      await broker.close()
    }
  })

  it('fails every message of a batch whose handler throws, each retried on its own', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      await broker.publishBatch(docs('search.crash', ['x', 'y', 'z']))
      const seen: string[] = []
      await broker.consumeBatch(
        'search.crash',
        (batch) => {
          seen.push(...batch.map((msg) => `${(msg.body as { id: string }).id}#${msg.attempt}`))
          if (batch.some((msg) => msg.attempt === 1)) throw new Error('bulk request refused')
        },
        { size: 10, wait: '100ms' },
      )
      await waitFor(() => seen.length === 6, 'the retries')
      expect(seen.sort()).toEqual(['x#1', 'x#2', 'y#1', 'y#2', 'z#1', 'z#2'])
      await waitFor(async () => (await vhost.count('search.crash')) === 0, 'the acks')
      expect(await vhost.count('search.crash.dlq')).toBe(0)
    } finally {
      await broker.close()
    }
  })

  it('refuses a prefetch smaller than the batch size', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      await expect(
        broker.consumeBatch('search.index', () => {}, { size: 50, prefetch: 10 }),
      ).rejects.toThrow(WarrenError)
    } finally {
      await broker.close()
    }
  })
})
