import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, TopologyError } from '../index.js'
import { captureLogger } from '../test-support/capture-logger.js'
import {
  brokerMajor,
  createVhost,
  management,
  waitFor,
  type TestVhost,
} from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-topology')
})
afterAll(async () => {
  await vhost?.delete()
})

async function queueArguments(queue: string): Promise<Record<string, unknown>> {
  const info = (await management(
    'GET',
    `/queues/${encodeURIComponent(vhost.name)}/${encodeURIComponent(queue)}`,
  )) as { arguments: Record<string, unknown>; durable: boolean }
  expect(info.durable).toBe(true)
  return info.arguments
}

describe('topology declaration', () => {
  it('declares the work queue, one retry tier per delay and the DLQ with the arguments of the design', async () => {
    const topology = defineTopology({
      exchanges: { invoices: { type: 'fanout' } },
      queues: {
        'mail.send': {
          bindings: [{ exchange: 'invoices' }],
          retry: { delays: ['5s', '1m', '1m'], maxAttempts: 5 },
        },
        'audit.write': { type: 'classic', retry: { delays: ['1500ms'], maxAttempts: 2 } },
      },
    })
    const broker = await connect({ url: vhost.url, topology })
    await broker.close()

    expect(await queueArguments('mail.send')).toEqual({
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'mail.send.dlq',
      'x-delivery-limit': 20,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    })
    expect(await queueArguments('mail.send.retry.5s')).toMatchObject({
      'x-message-ttl': 5000,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'mail.send',
    })
    expect(await queueArguments('mail.send.retry.1m')).toMatchObject({ 'x-message-ttl': 60000 })
    // No limit on the DLQ: 3.x has none unless told; 4.x defaults to 20, so it is turned off (-1).
    expect(await queueArguments('mail.send.dlq')).toEqual(
      (await brokerMajor()) >= 4
        ? { 'x-queue-type': 'quorum', 'x-delivery-limit': -1 }
        : { 'x-queue-type': 'quorum' },
    )
    expect(await queueArguments('audit.write')).toEqual({
      'x-queue-type': 'classic',
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'audit.write.dlq',
    })
    expect(await queueArguments('audit.write.retry.1500ms')).toMatchObject({
      'x-queue-type': 'classic',
      'x-message-ttl': 1500,
    })
    const queues = (await management('GET', `/queues/${encodeURIComponent(vhost.name)}`)) as {
      name: string
    }[]
    expect(queues.map((q) => q.name).sort()).toEqual([
      'audit.write',
      'audit.write.dlq',
      'audit.write.retry.1500ms',
      'mail.send',
      'mail.send.dlq',
      'mail.send.retry.1m',
      'mail.send.retry.5s',
    ])
  })

  it('rejects connect() with a TopologyError naming the queue and the argument that differ', async () => {
    const raw = await vhost.raw()
    const channel = await raw.createChannel()
    // Created earlier with a lower delivery limit and otherwise the same arguments.
    await channel.assertQueue('stock.reserve', {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': 'stock.reserve.dlq',
        'x-delivery-limit': 5,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    })
    await channel.close()
    const topology = defineTopology({ queues: { 'stock.reserve': { retry: false } } })

    const error = await connect({ url: vhost.url, topology }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(TopologyError)
    expect(error).toMatchObject({
      code: 'TOPOLOGY_MISMATCH',
      queue: 'stock.reserve',
      argument: 'x-delivery-limit',
    })
    // The refused declaration closed a throwaway channel, not anyone's connection.
    const check = await raw.createChannel()
    expect((await check.checkQueue('stock.reserve')).queue).toBe('stock.reserve')
    await check.close()
  })

  it('reports a mismatch found after a reconnect as an error event, once, and keeps working', async () => {
    const topology = defineTopology({ queues: { 'tax.compute': { retry: false } } })
    const broker = await connect({ url: vhost.url, topology, reconnect: { initialDelay: '50ms' } })
    try {
      const errors: Error[] = []
      let reconnects = 0
      broker.on('error', (error) => errors.push(error))
      broker.on('reconnected', () => reconnects++)
      // An operator recreates the queue differently while the service is connected.
      const channel = await (await vhost.raw()).createChannel()
      await channel.deleteQueue('tax.compute')
      await channel.assertQueue('tax.compute', {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': 'tax.compute.dlq',
          'x-delivery-limit': 5,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      })
      await channel.close()
      await vhost.closeConnections()

      await waitFor(() => reconnects === 1, 'the reconnect')
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(reconnects).toBe(1)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({ queue: 'tax.compute', argument: 'x-delivery-limit' })
      await broker.publish('', 'tax.compute', { amount: 1 })
      expect(await vhost.count('tax.compute')).toBe(1)
    } finally {
      await broker.close()
    }
  })

  it('declares a deleted queue again when the broker cancels its consumer, and consumes again', async () => {
    const topology = defineTopology({ queues: { 'cart.expire': { retry: false } } })
    const logger = captureLogger()
    const broker = await connect({ url: vhost.url, topology, logger })
    try {
      const events: string[] = []
      broker.on('consumer-cancelled', ({ queue }) => events.push(`cancelled ${queue}`))
      broker.on('consumer-resumed', ({ queue }) => events.push(`resumed ${queue}`))
      const bodies: unknown[] = []
      await broker.consume('cart.expire', (msg) => {
        bodies.push(msg.body)
      })
      const channel = await (await vhost.raw()).createChannel()
      await channel.deleteQueue('cart.expire')
      await channel.close()

      await waitFor(() => events.length === 2, 'the consumer to resume')
      await broker.publish('', 'cart.expire', { cartId: 'k-1' })
      await waitFor(() => bodies.length === 1, 'the message on the new queue')
      expect(events).toEqual(['cancelled cart.expire', 'resumed cart.expire'])
      expect(bodies).toEqual([{ cartId: 'k-1' }])
      // Declared and consumed again with backoff, each attempt logged: a few, never a hot loop.
      const recovering = logger.events.filter((e) => e.event === 'consumer-recovering')
      expect(recovering.length).toBeGreaterThanOrEqual(1)
      expect(recovering.length).toBeLessThanOrEqual(5)
    } finally {
      await broker.close()
    }
  })
})
