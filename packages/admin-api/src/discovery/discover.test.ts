import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { management, type TestVhost } from '@warren/test-kit'
import type { WarrenApp } from '../app.js'
import type { DiscoveredQueue } from './types.js'
import { eventually, operator, scopedTestApp } from '../test-support/core.js'
import { topicMatches } from './routing.js'

describe('dead-letter discovery (real broker, topologies declared with plain amqplib)', () => {
  let vhost: TestVhost
  let warren: WarrenApp
  let remove: (() => Promise<void>) | undefined
  let queues: Map<string, DiscoveredQueue>

  beforeAll(async () => {
    ;({ vhost, warren, remove } = await scopedTestApp('core-discovery', async (vhost) => {
      await vhost.withChannel(async (ch) => {
        // Not made by the SDK: a classic queue whose DLX is a fanout exchange bound to orders.failed.
        await ch.assertExchange('orders.dlx', 'fanout', { durable: true })
        await ch.assertQueue('orders.failed', { durable: true })
        await ch.bindQueue('orders.failed', 'orders.dlx', '')
        await ch.assertQueue('orders', {
          durable: true,
          arguments: { 'x-queue-type': 'classic', 'x-dead-letter-exchange': 'orders.dlx' },
        })
        // The same with a direct DLX: without a DLX routing key the message keeps its own key.
        await ch.assertExchange('payments.dlx', 'direct', { durable: true })
        await ch.assertQueue('payments.failed', { durable: true })
        await ch.assertQueue('payments.other', { durable: true })
        await ch.bindQueue('payments.failed', 'payments.dlx', 'payments')
        await ch.bindQueue('payments.other', 'payments.dlx', 'unrelated')
        await ch.assertQueue('payments', {
          durable: true,
          arguments: { 'x-dead-letter-exchange': 'payments.dlx' },
        })
        // SDK-shaped: Q, Q.retry.<delay> (TTL, DLX back to Q) and Q.dlq, all via the default exchange.
        await ch.assertQueue('billing', {
          durable: true,
          arguments: {
            'x-queue-type': 'quorum',
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': 'billing.dlq',
          },
        })
        for (const [suffix, ttl] of [
          ['1s', 1000],
          ['1m', 60_000],
        ] as const) {
          await ch.assertQueue(`billing.retry.${suffix}`, {
            durable: true,
            arguments: {
              'x-message-ttl': ttl,
              'x-dead-letter-exchange': '',
              'x-dead-letter-routing-key': 'billing',
            },
          })
        }
        await ch.assertQueue('billing.dlq', { durable: true })
        // Dead-lettering configured by a policy rather than arguments, through a topic exchange.
        await ch.assertExchange('mail.dlx', 'topic', { durable: true })
        await ch.assertQueue('mail.parked', { durable: true })
        await ch.bindQueue('mail.parked', 'mail.dlx', 'mail.#')
        await ch.assertQueue('mail', { durable: true })
        await ch.assertQueue('plain', { durable: true })
      })
      await management('PUT', `/api/policies/${vhost.encoded}/mail-dlx`, {
        pattern: '^mail$',
        'apply-to': 'queues',
        definition: {
          'dead-letter-exchange': 'mail.dlx',
          'dead-letter-routing-key': 'mail.failed',
        },
      })
      // The broker applies a policy after answering the PUT: wait until the queue shows it.
      await eventually(async () => {
        const mail = (await (
          await management('GET', `/api/queues/${vhost.encoded}/mail`)
        ).json()) as { policy?: string | null }
        return mail.policy === 'mail-dlx' ? true : undefined
      })
    }))
    const response = await warren.app.request(`/api/queues?vhost=${vhost.encoded}`, {
      headers: operator,
    })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { items: DiscoveredQueue[] }
    queues = new Map(body.items.map((q) => [q.name, q]))
  })

  afterAll(() => remove?.())

  it('links a classic queue with x-dead-letter-exchange orders.dlx (fanout) to orders.failed', () => {
    expect(queues.get('orders')).toMatchObject({
      role: 'work',
      type: 'classic',
      deadLetterExchange: 'orders.dlx',
      deadLetterQueue: 'orders.failed',
    })
    expect(queues.get('orders.failed')).toMatchObject({ role: 'dead-letter', feeds: ['orders'] })
  })

  it("follows a direct DLX's bindings with the message's own routing key", () => {
    expect(queues.get('payments')?.deadLetterQueue).toBe('payments.failed')
    expect(queues.get('payments.failed')).toMatchObject({
      role: 'dead-letter',
      feeds: ['payments'],
    })
    expect(queues.get('payments.other')?.role).toBe('other')
  })

  it('finds the retry tiers (TTL, dead-lettering back) and the DLQ of an SDK-shaped topology', () => {
    expect(queues.get('billing')).toMatchObject({
      role: 'work',
      type: 'quorum',
      deadLetterQueue: 'billing.dlq',
      retryQueues: [
        { name: 'billing.retry.1s', delayMs: 1000 },
        { name: 'billing.retry.1m', delayMs: 60_000 },
      ],
    })
    expect(queues.get('billing.retry.1s')).toMatchObject({ role: 'retry', retryOf: 'billing' })
    expect(queues.get('billing.retry.1m')).toMatchObject({ role: 'retry', retryOf: 'billing' })
    expect(queues.get('billing.dlq')).toMatchObject({ role: 'dead-letter', feeds: ['billing'] })
  })

  it('reads dead-lettering set by a policy, routed through a topic exchange', () => {
    expect(queues.get('mail')).toMatchObject({
      role: 'work',
      policy: 'mail-dlx',
      deadLetterExchange: 'mail.dlx',
      deadLetterQueue: 'mail.parked',
    })
    expect(queues.get('mail.parked')?.role).toBe('dead-letter')
  })

  it('leaves a queue without dead-lettering as other', () => {
    expect(queues.get('plain')).toMatchObject({
      role: 'other',
      deadLetterQueue: null,
      retryQueues: [],
    })
  })
})

describe('topicMatches', () => {
  it('treats * as one word and # as zero or more', () => {
    expect(topicMatches('mail.#', 'mail')).toBe(true)
    expect(topicMatches('mail.#', 'mail.failed.hard')).toBe(true)
    expect(topicMatches('mail.*', 'mail.failed.hard')).toBe(false)
    expect(topicMatches('*.failed', 'mail.failed')).toBe(true)
    expect(topicMatches('#', '')).toBe(true)
    expect(topicMatches('a.b', 'a.c')).toBe(false)
  })
})
