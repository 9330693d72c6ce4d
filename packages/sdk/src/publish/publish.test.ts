import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  BufferFullError,
  connect,
  defineTopology,
  TimeoutError,
  UnroutableError,
  ValidationError,
  WarrenError,
} from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-publish')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { payments: { type: 'direct' } },
  queues: {
    'ledger.post': { bindings: [{ exchange: 'payments', routingKey: 'payment.captured' }] },
  },
  messages: { 'payment.captured': z.object({ paymentId: z.string(), cents: z.number().int() }) },
})

describe('publish', () => {
  it('rejects a body that fails its schema with ValidationError and sends nothing', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const invalid = broker.publish('payments', 'payment.captured', {
        paymentId: 'p-1',
        cents: 1.5,
      })
      await expect(invalid).rejects.toBeInstanceOf(ValidationError)
      await expect(invalid).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: [{ path: ['cents'] }],
      })
      await broker.publish('payments', 'payment.captured', { paymentId: 'p-2', cents: 150 })
      const queued = await vhost.drain('ledger.post')
      expect(queued.map((m) => JSON.parse(m.content.toString()))).toEqual([
        { paymentId: 'p-2', cents: 150 },
      ])
    } finally {
      await broker.close()
    }
  })

  it('rejects exactly the publish no queue receives with UnroutableError; the others confirm', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const results = await Promise.allSettled([
        broker.publish('payments', 'payment.captured', { paymentId: 'p-3', cents: 1 }),
        broker.publish(
          'payments',
          'payment.refunded',
          { paymentId: 'p-4' },
          { messageId: 'lost-4' },
        ),
        broker.publish('payments', 'payment.captured', { paymentId: 'p-5', cents: 2 }),
      ])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      const error = (results[1] as PromiseRejectedResult).reason as UnroutableError
      expect(error).toBeInstanceOf(UnroutableError)
      expect(error).toMatchObject({
        code: 'UNROUTABLE',
        exchange: 'payments',
        routingKey: 'payment.refunded',
        messageId: 'lost-4',
      })
      expect(await vhost.drain('ledger.post')).toHaveLength(2)
    } finally {
      await broker.close()
    }
  })

  it('rejects a publish to a missing exchange and keeps publishing on a fresh channel', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      // @ts-expect-error an exchange the topology does not declare does not compile either
      const missing = broker.publish('no-such-exchange', 'x', { a: 1 })
      await expect(missing).rejects.toMatchObject({ code: 'EXCHANGE_NOT_FOUND' })
      await broker.publish('payments', 'payment.captured', { paymentId: 'p-6', cents: 6 })
      expect(await vhost.drain('ledger.post')).toHaveLength(1)
    } finally {
      await broker.close()
    }
  })

  it('rejects a publish the client cannot encode with PUBLISH_FAILED and keeps publishing', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const huge = broker.publish(
        'payments',
        'payment.captured',
        { paymentId: 'p-big', cents: 1 },
        { headers: { note: 'x'.repeat(70_000) } },
      )
      await expect(huge).rejects.toMatchObject({ code: 'PUBLISH_FAILED' })
      await broker.publish('payments', 'payment.captured', { paymentId: 'p-small', cents: 1 })
      const queued = await vhost.drain('ledger.post')
      expect(queued.map((m) => JSON.parse(m.content.toString()).paymentId)).toEqual(['p-small'])
    } finally {
      await broker.close()
    }
  })

  it('sets the properties and headers of the design contract', async () => {
    const broker = await connect({ url: vhost.url, topology, service: 'checkout' })
    try {
      const before = Math.floor(Date.now() / 1000)
      await broker.publish(
        'payments',
        'payment.captured',
        { paymentId: 'p-7', cents: 7 },
        {
          messageId: 'given-id',
          correlationId: 'order-7',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          headers: { tenant: 'acme' },
        },
      )
      await broker.publish('', 'ledger.post', 'plain text')
      const [json, text] = await vhost.drain('ledger.post')
      expect(json?.properties).toMatchObject({
        messageId: 'given-id',
        correlationId: 'order-7',
        contentType: 'application/json',
        type: 'payment.captured',
        appId: 'checkout',
        deliveryMode: 2,
        headers: {
          tenant: 'acme',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
      })
      expect(json?.properties.timestamp).toBeGreaterThanOrEqual(before)
      expect(text?.properties.contentType).toBe('text/plain')
      expect(text?.content.toString()).toBe('plain text')
    } finally {
      await broker.close()
    }
  })

  it('validates a whole batch before sending any of it, then confirms all of it', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const item = (paymentId: string, cents: number) => ({
        exchange: 'payments' as const,
        routingKey: 'payment.captured',
        body: { paymentId, cents },
      })
      await expect(
        broker.publishBatch([item('b-1', 1), item('b-2', 2.5), item('b-3', 3)]),
      ).rejects.toBeInstanceOf(ValidationError)
      expect(await vhost.count('ledger.post')).toBe(0)
      await broker.publishBatch(Array.from({ length: 500 }, (_, i) => item(`b-${i}`, i)))
      expect(await vhost.count('ledger.post')).toBe(500)
      await vhost.drain('ledger.post')
    } finally {
      await broker.close()
    }
  })

  it('holds publishes while disconnected in a bounded buffer and sends them after reconnecting', async () => {
    const broker = await connect({
      url: vhost.url,
      topology,
      reconnect: { initialDelay: '1s', jitter: 0 },
      publish: { bufferSize: 2, overflow: 'reject', timeout: '20s' },
    })
    try {
      let down = false
      broker.on('disconnected', () => (down = true))
      await vhost.closeConnections()
      await waitFor(() => down, 'the disconnect')

      const held = broker.publish('payments', 'payment.captured', { paymentId: 'h-1', cents: 1 })
      const tooLate = broker.publish(
        'payments',
        'payment.captured',
        { paymentId: 'h-2', cents: 2 },
        { timeout: '100ms' },
      )
      const overflow = broker.publish('payments', 'payment.captured', {
        paymentId: 'h-3',
        cents: 3,
      })
      await expect(overflow).rejects.toBeInstanceOf(BufferFullError)
      await expect(overflow).rejects.toMatchObject({ code: 'BUFFER_FULL' })
      await expect(tooLate).rejects.toBeInstanceOf(TimeoutError)
      await held
      const queued = await vhost.drain('ledger.post')
      expect(queued.map((m) => JSON.parse(m.content.toString()).paymentId)).toEqual(['h-1'])
    } finally {
      await broker.close()
    }
  })

  it('rejects publishes after close with ClosedError', async () => {
    const broker = await connect({ url: vhost.url, topology })
    await broker.close()
    const error = await broker
      .publish('payments', 'payment.captured', { paymentId: 'c-1', cents: 1 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WarrenError)
    expect(error).toMatchObject({ code: 'CLOSED' })
  })
})
