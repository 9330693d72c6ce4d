// Dead letters that Node.js producers wrote, read through the admin API as an operator sees them:
// Rascal 21 (republish, nack, forward), amqp-connection-manager 5 (a quorum queue's delivery
// limit) and Warren's SDK across a requeue, on RabbitMQ 3.10 and 4.3.
import { connect as connectSdk, defineTopology } from '@warren/sdk'
import { connect as connectManager } from 'amqp-connection-manager'
import type { Channel, ConsumeMessage } from 'amqplib'
import rascal, { type BrokerAsPromised, type Recovery } from 'rascal'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WarrenApp } from '../app.js'
import { BROKER, brokerVersion } from '@warren/test-kit'
import { brokerTestApp } from '../test-support/brokers.js'
import { eventually, json, operator } from '../test-support/core.js'
import type { BrowseResult, MessageView, RequeueResult } from './schemas.js'

/** Rascal's topology: `charge` dead-letters to `charge.dlq`; `ship` forwards to `ship-failures`. */
function rascalConfig(vhost: string, url: string) {
  return rascal.withDefaultConfig({
    vhosts: {
      [vhost]: {
        connection: { url },
        exchanges: { orders: { type: 'topic' }, failures: { type: 'fanout' } },
        queues: {
          charge: {
            options: {
              arguments: {
                'x-dead-letter-exchange': '',
                'x-dead-letter-routing-key': 'charge.dlq',
              },
            },
          },
          'charge.dlq': {},
          ship: {},
          'ship-failures': {},
        },
        bindings: [
          'orders[order.created] -> charge',
          'orders[order.shipped] -> ship',
          'failures -> ship-failures',
        ],
        publications: {
          created: { exchange: 'orders', routingKey: 'order.created' },
          shipped: { exchange: 'orders', routingKey: 'order.shipped' },
          failures: { exchange: 'failures' },
        },
        subscriptions: { charge: { queue: 'charge' }, ship: { queue: 'ship' } },
      },
    },
  })
}

/** The SDK's queue: two attempts, then its DLQ. */
const sdkTopology = defineTopology({
  queues: { 'sdk.charge': { retry: { delays: ['100ms'], maxAttempts: 2 } } },
})

function failure(message: string, code: string): Error {
  return Object.assign(new Error(message), { code })
}

describe(`dead letters of Node.js producers on ${BROKER.label}`, () => {
  const broker = BROKER
  let vhost: Awaited<ReturnType<typeof brokerTestApp>>
  let warren: WarrenApp
  let producer: BrokerAsPromised
  let version: string

  beforeAll(async () => {
    // Nothing dead-letters into Rascal's forward target: the operator names it.
    vhost = await brokerTestApp(broker, 'warren-node-producers', {
      WARREN_DEAD_LETTER_QUEUES: 'ship-failures',
    })
    version = await brokerVersion(broker)
    producer = await rascal.BrokerAsPromised.create(rascalConfig(vhost.name, vhost.url))
    producer.on('error', () => undefined)
    warren = vhost.start()
  })

  afterAll(async () => {
    try {
      await producer?.shutdown()
    } finally {
      await vhost?.remove()
    }
  })

  const path = (queue: string) => `/api/dead-letters/${vhost.encoded}/${encodeURIComponent(queue)}`
  const shown = async (queue: string, messageId: string): Promise<MessageView | undefined> => {
    const response = await warren.app.request(`${path(queue)}/messages`, { headers: operator })
    expect(response.status).toBe(200)
    const page = (await response.json()) as BrowseResult
    return page.items.find((item) => item.messageId === messageId)
  }
  const requeue = async (queue: string, ids: string[]) => {
    const response = await warren.app.request(`${path(queue)}/requeue`, {
      method: 'POST',
      headers: { ...operator, ...json },
      body: JSON.stringify({ ids }),
    })
    return (await response.json()) as RequeueResult
  }
  const depth = (queue: string) =>
    vhost.channel(async (channel) => (await channel.checkQueue(queue)).messageCount)
  const reached = (queue: string, count: number) =>
    eventually(async () => ((await depth(queue)) >= count ? true : undefined))
  /** The death happened between `since` (x-death keeps whole seconds) and now. */
  const expectDiedSince = (view: MessageView | undefined, since: number) => {
    const at = Date.parse(view?.deadLetteredAt ?? '')
    expect(at).toBeGreaterThanOrEqual(Math.floor(since / 1000) * 1000)
    expect(at).toBeLessThanOrEqual(Date.now())
  }
  const failing = async (queue: string, error: Error, recovery: Recovery[]) => {
    const subscription = await producer.subscribe(queue)
    subscription.on('message', (_message, _content, ackOrNack) => ackOrNack(error, recovery))
    subscription.on('error', () => undefined)
    return subscription
  }

  it('shows what Rascal republished 3 times and then nacked, and requeues it to its queue', async () => {
    const since = Date.now()
    const subscription = await failing('charge', failure('card declined', 'CARD_DECLINED'), [
      { strategy: 'republish', attempts: 3 },
      { strategy: 'nack' },
    ])
    await producer.publish('created', { order: 1 }, { options: { messageId: 'o-1' } })
    await reached('charge.dlq', 1)
    await subscription.cancel()

    const view = await shown('charge.dlq', 'o-1')
    const result = await requeue('charge.dlq', ['o-1'])
    const back = await vhost.channel((channel) => channel.get('charge', { noAck: true }))

    expect(view).toMatchObject({
      reason: 'rejected',
      originalQueue: 'charge',
      exchange: 'orders',
      routingKey: 'order.created',
      attempts: 4,
      error: { name: 'CARD_DECLINED', message: 'card declined' },
    })
    expectDiedSince(view, since)
    expect(result).toMatchObject({ requeued: 1, notFound: [], failed: [] })
    const headers = back === false ? {} : (back.properties.headers ?? {})
    expect(headers).toMatchObject({
      'warren-attempt': 0,
      'warren-previous-attempts': 4,
      rascal: { originalQueue: 'charge', error: { message: 'card declined' } },
    })
    expect(headers['rascal']).not.toHaveProperty('recovery')
  })

  it('shows what Rascal forwarded, and after a requeue Rascal retries it afresh', async () => {
    const recovery = [
      { strategy: 'republish', attempts: 2 },
      { strategy: 'forward', publication: 'failures' },
    ]
    const error = failure('no courier', 'NO_COURIER')
    let subscription = await failing('ship', error, recovery)
    await producer.publish('shipped', { order: 2 }, { options: { messageId: 's-1' } })
    await reached('ship-failures', 1)
    await subscription.cancel()
    const first = await shown('ship-failures', 's-1')

    const result = await requeue('ship-failures', ['s-1'])
    const onItsQueue = await depth('ship')
    subscription = await failing('ship', error, recovery)
    await reached('ship-failures', 1)
    await subscription.cancel()
    const second = await shown('ship-failures', 's-1')

    const expected = {
      reason: 'forwarded',
      originalQueue: 'ship',
      exchange: 'orders',
      routingKey: 'order.shipped',
      error: { name: 'NO_COURIER', message: 'no courier' },
      // Rascal records no time, and a requeue's own time is none of a death.
      deadLetteredAt: null,
    }
    expect(first).toMatchObject({ ...expected, attempts: 3 })
    expect(result).toMatchObject({ requeued: 1, failed: [] })
    expect(onItsQueue).toBe(1)
    // Two more republishes and a forward: Rascal started counting again.
    expect(second).toMatchObject({ ...expected, attempts: 6 })
  })

  it('counts both lives of an SDK dead letter: requeued, the SDK retries it afresh', async () => {
    const sdk = await connectSdk({ url: vhost.url, topology: sdkTopology, service: 'charges' })
    try {
      await sdk.consume('sdk.charge', () => {
        throw new Error('card declined')
      })
      await sdk.publish('', 'sdk.charge', { order: 3 }, { messageId: 'w-1' })
      await reached('sdk.charge.dlq', 1)
      const first = await shown('sdk.charge.dlq', 'w-1')

      const requeuedAt = Date.now()
      const result = await requeue('sdk.charge.dlq', ['w-1'])
      await reached('sdk.charge.dlq', 1)
      const second = await shown('sdk.charge.dlq', 'w-1')

      const expected = { reason: 'max-attempts', originalQueue: 'sdk.charge' }
      expect(first).toMatchObject({ ...expected, attempts: 2 })
      expect(result).toMatchObject({ requeued: 1, failed: [] })
      // Two attempts more: warren-attempt started again at 0, the first two are kept beside it.
      expect(second).toMatchObject({
        ...expected,
        attempts: 4,
        error: { message: 'card declined' },
      })
      expectDiedSince(second, requeuedAt)
    } finally {
      await sdk.close()
    }
  })

  it.each(['classic', 'quorum'] as const)(
    "shows a quorum queue's delivery-limit dead letter in a %s DLQ, counted where the broker tells",
    async (type) => {
      const jobs = `jobs.${type}`
      const dead = `jobs.${type}.dlq`
      const since = Date.now()
      const manager = connectManager([vhost.url])
      try {
        const channel = manager.createChannel({
          json: true,
          setup: async (ch: Channel) => {
            await ch.assertQueue(dead, { durable: true, arguments: { 'x-queue-type': type } })
            await ch.assertQueue(jobs, {
              durable: true,
              arguments: {
                'x-queue-type': 'quorum',
                'x-delivery-limit': 3,
                'x-dead-letter-exchange': '',
                'x-dead-letter-routing-key': dead,
              },
            })
            // A failed delivery: a rejection with requeue (4.3 does not count a nack as one).
            await ch.consume(jobs, (message: ConsumeMessage | null) => {
              if (message) ch.reject(message, true)
            })
          },
        })
        await channel.sendToQueue(jobs, { job: 1 }, { messageId: `job-${type}` })
        await reached(dead, 1)
      } finally {
        await manager.close()
      }

      const view = await shown(dead, `job-${type}`)

      // Four deliveries under a limit of 3: only 4.3 takes the count along, into a quorum DLQ.
      const counted = type === 'quorum' && /^4\.([3-9]|\d\d)\./.test(version)
      expect(view).toMatchObject({
        reason: 'delivery_limit',
        originalQueue: jobs,
        attempts: counted ? 4 : null,
      })
      expectDiedSince(view, since)
    },
  )
})
