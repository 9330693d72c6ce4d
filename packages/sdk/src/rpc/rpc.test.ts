import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import {
  ClosedError,
  connect,
  defineTopology,
  NonRetryableError,
  RemoteError,
  TimeoutError,
  UnroutableError,
} from '../index.js'
import { replyChannelListeners } from '../broker.js'
import { createVhost, management, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-rpc')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { pricing: { type: 'direct' } },
  queues: {
    'pricing.quote': { bindings: [{ exchange: 'pricing', routingKey: 'quote.get' }], retry: false },
    'pricing.silent': { bindings: [{ exchange: 'pricing', routingKey: 'quote.silent' }] },
    'pricing.late': { bindings: [{ exchange: 'pricing', routingKey: 'quote.late' }] },
  },
  messages: { 'quote.get': z.object({ sku: z.string(), qty: z.number().int().positive() }) },
})

describe('request/reply over direct reply-to', () => {
  it('answers each of many concurrent requests with its own reply, without a reply queue', async () => {
    const server = await connect({ url: vhost.url, topology, service: 'pricing' })
    const client = await connect({ url: vhost.url, topology, service: 'shop' })
    try {
      await server.respond('pricing.quote', (msg) => ({
        sku: msg.body.sku,
        total: msg.body.qty * 3,
      }))
      const skus = Array.from({ length: 25 }, (_, i) => `sku-${i}`)
      const replies = await Promise.all(
        skus.map((sku, i) =>
          client.request<{ sku: string; total: number }>(
            'pricing',
            'quote.get',
            { sku, qty: i + 1 },
            { timeout: '5s' },
          ),
        ),
      )
      expect(replies).toEqual(skus.map((sku, i) => ({ sku, total: (i + 1) * 3 })))

      // A reply schema checks the reply and types the result.
      const quote = z.object({ sku: z.string(), total: z.number() })
      const typed = await client.request(
        'pricing',
        'quote.get',
        { sku: 'z', qty: 2 },
        { reply: quote },
      )
      expectTypeOf(typed).toEqualTypeOf<{ sku: string; total: number }>()
      expect(typed).toEqual({ sku: 'z', total: 6 })
      await expect(
        client.request(
          'pricing',
          'quote.get',
          { sku: 'z', qty: 1 },
          { reply: z.object({ price: z.number() }) },
        ),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
      expect(client.diagnostics.pendingRequests).toBe(0)
      const queues = (await management('GET', `/queues/${encodeURIComponent(vhost.name)}`)) as {
        name: string
      }[]
      expect(queues.map((q) => q.name).filter((n) => !n.startsWith('pricing.'))).toEqual([])
      await expect(
        // @ts-expect-error qty is missing: the request body is validated like a publish
        client.request('pricing', 'quote.get', { sku: 'x' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    } finally {
      await client.close()
      await server.close()
    }
  })

  it('times out with TimeoutError and leaves no pending entry or listener behind', async () => {
    const client = await connect({ url: vhost.url, topology })
    try {
      // Nobody answers pricing.silent.
      await expect(
        client.request('pricing', 'quote.silent', { n: 0 }, { timeout: '100ms' }),
      ).rejects.toBeInstanceOf(TimeoutError)
      const listeners = replyChannelListeners(client)
      expect(listeners).toBeGreaterThan(0)

      const outcomes = await Promise.allSettled(
        Array.from({ length: 200 }, (_, n) =>
          client.request('pricing', 'quote.silent', { n }, { timeout: '200ms' }),
        ),
      )
      expect(
        outcomes.every((o) => o.status === 'rejected' && o.reason instanceof TimeoutError),
      ).toBe(true)
      expect(client.diagnostics.pendingRequests).toBe(0)
      expect(replyChannelListeners(client)).toBe(listeners)
    } finally {
      await client.close()
    }
  })

  it('drops a reply that comes after its timeout, and a responder skips a request already given up', async () => {
    const server = await connect({ url: vhost.url, topology })
    const client = await connect({ url: vhost.url, topology })
    try {
      const handled: number[] = []
      await server.respond(
        'pricing.late',
        async (msg) => {
          const { n } = msg.body as { n: number }
          handled.push(n)
          await new Promise((resolve) => setTimeout(resolve, 300))
          return { n }
        },
        { concurrency: 1, prefetch: 5 },
      )
      // The first is handled past its timeout; the second waits behind it and expires unhandled.
      const first = client.request('pricing', 'quote.late', { n: 1 }, { timeout: '150ms' })
      const second = client.request('pricing', 'quote.late', { n: 2 }, { timeout: '150ms' })
      await expect(first).rejects.toBeInstanceOf(TimeoutError)
      await expect(second).rejects.toBeInstanceOf(TimeoutError)
      await waitFor(async () => (await vhost.count('pricing.late')) === 0, 'the queue to empty')
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect(handled).toEqual([1])
      expect(client.diagnostics.pendingRequests).toBe(0)
      // Still answering after the late reply was dropped.
      await expect(
        client.request('pricing', 'quote.late', { n: 3 }, { timeout: '2s' }),
      ).resolves.toEqual({ n: 3 })
      expect(await vhost.count('pricing.late.dlq')).toBe(0)
    } finally {
      await client.close()
      await server.close()
    }
  })

  it("rejects with the responder's error as RemoteError, and acks the request instead of retrying it", async () => {
    const server = await connect({ url: vhost.url, topology })
    const client = await connect({ url: vhost.url, topology })
    try {
      let calls = 0
      await server.respond('pricing.quote', () => {
        calls++
        throw new NonRetryableError('unknown sku')
      })
      const error = await client
        .request('pricing', 'quote.get', { sku: 'nope', qty: 1 }, { timeout: '5s' })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RemoteError)
      expect(error).toMatchObject({
        code: 'REMOTE_ERROR',
        remote: { name: 'NonRetryableError', message: 'unknown sku', code: 'NON_RETRYABLE' },
      })
      await waitFor(async () => (await vhost.count('pricing.quote')) === 0, 'the ack')
      expect(calls).toBe(1)
      expect(await vhost.count('pricing.quote.dlq')).toBe(0)
    } finally {
      await client.close()
      await server.close()
    }
  })

  it('rejects a request whose connection drops with REPLY_LOST, and sends one made while disconnected after the reconnect', async () => {
    const server = await connect({ url: vhost.url, topology, reconnect: { initialDelay: '50ms' } })
    const client = await connect({ url: vhost.url, topology, reconnect: { initialDelay: '50ms' } })
    let release = () => {}
    try {
      let reconnects = 0
      client.on('reconnected', () => reconnects++)
      // The first request is held at the responder until its caller's connection is gone.
      const held = new Promise<void>((resolve) => (release = resolve))
      let heldRequests = 0
      await server.respond('pricing.quote', async (msg) => {
        if (msg.body.sku === 'a') {
          heldRequests++
          await held
        }
        return { sku: msg.body.sku }
      })
      const inFlight = client
        .request('pricing', 'quote.get', { sku: 'a', qty: 1 }, { timeout: '10s' })
        .catch((error: unknown) => error)
      await waitFor(() => heldRequests === 1, 'the request at the responder')
      // Asked the moment the connection is gone (the reconnect may come before the command that
      // cut it returns): it waits for the reconnect, then gets its answer.
      const later = new Promise<{ connected: boolean; answer: Promise<unknown> }>((resolve) =>
        client.once('disconnected', () =>
          resolve({
            connected: client.connected,
            answer: client.request(
              'pricing',
              'quote.get',
              { sku: 'b', qty: 1 },
              { timeout: '10s' },
            ),
          }),
        ),
      )
      await vhost.closeConnections()
      expect(await inFlight).toMatchObject({ code: 'REPLY_LOST' })
      release()

      const asked = await later
      expect(asked.connected).toBe(false)
      expect(await asked.answer).toEqual({ sku: 'b' })
      expect(reconnects).toBe(1)
      expect(client.diagnostics.pendingRequests).toBe(0)
    } finally {
      release()
      await client.close()
      await server.close()
    }
  })

  it('rejects a request still waiting for its reply, and one made after close, with ClosedError', async () => {
    const client = await connect({ url: vhost.url, topology })
    // Nobody answers pricing.silent: the request waits until the broker closes.
    const waiting = client.request('pricing', 'quote.silent', {}, { timeout: '30s' })
    await waitFor(() => client.diagnostics.pendingRequests === 1, 'the request to be sent')
    const rejected = expect(waiting).rejects.toBeInstanceOf(ClosedError)
    await client.close()
    await rejected
    await expect(client.request('pricing', 'quote.silent', {})).rejects.toBeInstanceOf(ClosedError)
  })

  it('rejects a request no queue receives with UnroutableError at once', async () => {
    const client = await connect({ url: vhost.url, topology })
    try {
      await expect(
        client.request('pricing', 'quote.nowhere', {}, { timeout: '5s' }),
      ).rejects.toBeInstanceOf(UnroutableError)
      expect(client.diagnostics.pendingRequests).toBe(0)
    } finally {
      await client.close()
    }
  })
})
