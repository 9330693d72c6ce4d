import { hostname } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { connect, defineTopology, HEADERS, NonRetryableError } from '../index.js'
import { captureLogger } from '../test-support/capture-logger.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-retry')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { orders: { type: 'topic' } },
  queues: {
    'billing.charge': {
      bindings: [{ exchange: 'orders', routingKey: 'order.created' }],
      // Three retries but two delays: the last delay is reused for the third.
      retry: { delays: ['200ms', '400ms'], maxAttempts: 4 },
    },
    'billing.refund': {
      bindings: [{ exchange: 'orders', routingKey: 'order.refunded' }],
      retry: { delays: ['200ms'], maxAttempts: 3 },
    },
    'billing.slow': {
      bindings: [{ exchange: 'orders', routingKey: 'order.slow' }],
      retry: false,
    },
  },
  messages: {
    'order.created': z.object({ orderId: z.string() }),
    'order.refunded': z.object({ orderId: z.string() }),
  },
})

interface Seen {
  attempt: number
  attemptHeader: unknown
  arrivedFrom: unknown
}

describe('a failing handler', () => {
  it('retries through the tier of each attempt, reusing the last delay, then dead-letters with every header', async () => {
    const logger = captureLogger()
    const broker = await connect({ url: vhost.url, topology, service: 'billing', logger })
    try {
      const seen: Seen[] = []
      await broker.consume('billing.charge', (msg) => {
        const death = (msg.headers['x-death'] as { queue: string }[] | undefined)?.[0]
        seen.push({
          attempt: msg.attempt,
          attemptHeader: msg.headers[HEADERS.attempt],
          arrivedFrom: death?.queue,
        })
        throw new Error(`charge failed on attempt ${msg.attempt}`)
      })
      await broker.publish(
        'orders',
        'order.created',
        { orderId: 'o-7' },
        { messageId: 'm-7', correlationId: 'c-7' },
      )
      await waitFor(async () => (await vhost.count('billing.charge.dlq')) === 1, 'the dead letter')

      expect(seen).toEqual([
        { attempt: 1, attemptHeader: undefined, arrivedFrom: undefined },
        { attempt: 2, attemptHeader: 1, arrivedFrom: 'billing.charge.retry.200ms' },
        { attempt: 3, attemptHeader: 2, arrivedFrom: 'billing.charge.retry.400ms' },
        { attempt: 4, attemptHeader: 3, arrivedFrom: 'billing.charge.retry.400ms' },
      ])
      const retried = logger.events.filter((e) => e.event === 'retried')
      expect(retried.map((e) => [e.attempt, e.target, e.messageId])).toEqual([
        [1, 'billing.charge.retry.200ms', 'm-7'],
        [2, 'billing.charge.retry.400ms', 'm-7'],
        [3, 'billing.charge.retry.400ms', 'm-7'],
      ])

      const [dead] = await vhost.drain('billing.charge.dlq')
      const headers = dead?.properties.headers ?? {}
      expect(JSON.parse(dead?.content.toString() ?? '')).toEqual({ orderId: 'o-7' })
      expect(dead?.properties).toMatchObject({
        messageId: 'm-7',
        correlationId: 'c-7',
        type: 'order.created',
        appId: 'billing',
        contentType: 'application/json',
        deliveryMode: 2,
      })
      expect(headers).toMatchObject({
        [HEADERS.attempt]: 4,
        [HEADERS.deadLetterReason]: 'max-attempts',
        [HEADERS.originalQueue]: 'billing.charge',
        [HEADERS.originalExchange]: 'orders',
        [HEADERS.originalRoutingKey]: 'order.created',
        [HEADERS.errorName]: 'Error',
        [HEADERS.errorMessage]: 'charge failed on attempt 4',
        [HEADERS.consumer]: `billing@${hostname()}:${process.pid}`,
      })
      expect(headers[HEADERS.errorStack]).toContain('charge failed on attempt 4')
      const first = Date.parse(headers[HEADERS.firstFailedAt] as string)
      const last = Date.parse(headers[HEADERS.lastFailedAt] as string)
      expect(new Date(first).toISOString()).toBe(headers[HEADERS.firstFailedAt])
      expect(last).toBeGreaterThan(first)
      // The copies leave the broker's own history behind: it would only grow with each tier.
      expect(headers['x-death']).toBeUndefined()
      expect(logger.events.filter((e) => e.event === 'dead-lettered')).toMatchObject([
        { messageId: 'm-7', queue: 'billing.charge', attempt: 4, reason: 'max-attempts' },
      ])
      expect(await vhost.count('billing.charge')).toBe(0)
    } finally {
      await broker.close()
    }
  })

  it('dead-letters a NonRetryableError at once, without retrying', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const attempts: number[] = []
      await broker.consume('billing.refund', (msg) => {
        attempts.push(msg.attempt)
        throw new NonRetryableError('refund window closed')
      })
      await broker.publish('orders', 'order.refunded', { orderId: 'o-8' })
      await waitFor(async () => (await vhost.count('billing.refund.dlq')) === 1, 'the dead letter')
      const [dead] = await vhost.drain('billing.refund.dlq')
      expect(attempts).toEqual([1])
      expect(dead?.properties.headers).toMatchObject({
        [HEADERS.deadLetterReason]: 'non-retryable',
        [HEADERS.attempt]: 1,
        [HEADERS.errorName]: 'NonRetryableError',
        [HEADERS.errorMessage]: 'refund window closed',
      })
      expect(await vhost.count('billing.refund.retry.200ms')).toBe(0)
    } finally {
      await broker.close()
    }
  })

  it('treats a handler that outlives its timeout as failed', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      await broker.consume('billing.slow', () => new Promise<void>(() => {}), { timeout: '200ms' })
      await broker.publish('orders', 'order.slow', { orderId: 'o-9' })
      await waitFor(async () => (await vhost.count('billing.slow.dlq')) === 1, 'the dead letter')
      const [dead] = await vhost.drain('billing.slow.dlq')
      expect(dead?.properties.headers).toMatchObject({
        [HEADERS.deadLetterReason]: 'max-attempts',
        [HEADERS.errorName]: 'TimeoutError',
        [HEADERS.attempt]: 1,
      })
      expect(dead?.properties.headers?.[HEADERS.errorMessage]).toContain('longer than 200ms')
    } finally {
      await broker.close()
    }
  })
})
