import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, HEADERS, WarrenError } from '../index.js'
import { createVhost, management, waitFor, type TestVhost } from '../test-support/vhost.js'
import { DELAY_LEVELS, delayRoute } from './levels.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-delay')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { reminders: { type: 'topic' } },
  queues: {
    'reminders.send': {
      bindings: [{ exchange: 'reminders', routingKey: 'reminder.due' }],
      retry: false,
    },
  },
})

async function queueNames(): Promise<string[]> {
  const queues = (await management('GET', `/queues/${encodeURIComponent(vhost.name)}`)) as {
    name: string
  }[]
  return queues.map((q) => q.name)
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}

describe('delayed publish through power-of-two levels', () => {
  it('routes a delay through the levels of its set bits', () => {
    expect(delayRoute(5)).toEqual({ exchange: 'warren.delay.4ms', routingKey: '1.0.1' })
    expect(delayRoute(90_000)).toEqual({
      exchange: 'warren.delay.65536ms',
      routingKey: '1.0.1.0.1.1.1.1.1.1.0.0.1.0.0.0.0',
    })
    expect(() => delayRoute(2 ** DELAY_LEVELS)).toThrow(WarrenError)
  })

  it('declares the levels on the first delayed publish and delivers 2 s and 5 s delays never early and within a tier hop (the figures are logged)', async () => {
    const broker = await connect({ url: vhost.url, topology, service: 'crm' })
    try {
      expect((await queueNames()).filter((n) => n.startsWith('warren.'))).toEqual([])
      const arrivals = new Map<string, number>()
      const received: { headers: Record<string, unknown>; routingKey: string; attempt: number }[] =
        []
      await broker.consume('reminders.send', (msg) => {
        arrivals.set(msg.messageId, Date.now())
        received.push({ headers: msg.headers, routingKey: msg.routingKey, attempt: msg.attempt })
      })
      const sent: { id: string; at: number; delayMs: number }[] = []
      const publishes: Promise<void>[] = []
      for (let i = 0; i < 10; i++) {
        for (const delayMs of [2_000, 5_000]) {
          const id = `r-${delayMs}-${i}`
          sent.push({ id, at: Date.now(), delayMs })
          publishes.push(
            broker.publish(
              'reminders',
              'reminder.due',
              { id },
              { delay: delayMs, messageId: id, headers: { tenant: 't-1' } },
            ),
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      await Promise.all(publishes)
      await waitFor(() => arrivals.size === sent.length, 'every reminder', 15_000)

      for (const delayMs of [2_000, 5_000]) {
        const errors = sent
          .filter((s) => s.delayMs === delayMs)
          .map((s) => (arrivals.get(s.id) as number) - (s.at + delayMs))
          .sort((a, b) => a - b)
        console.log(
          `delay ${delayMs} ms: error p50 ${percentile(errors, 50)} ms, p99 ${percentile(errors, 99)} ms, min ${errors[0]} ms`,
        )
        expect(errors[0]).toBeGreaterThanOrEqual(0)
        // Loose on purpose (CI shares two cores), yet below the 2048 ms level a wrong cascade
        // would add; the accuracy itself is measured and logged above.
        expect(errors.at(-1)).toBeLessThan(1_900)
      }
      // Delivered as published: routing key, the caller's headers, no trace of the levels.
      expect(received[0]?.routingKey).toBe('reminder.due')
      expect(received[0]?.attempt).toBe(1)
      expect(received[0]?.headers).toEqual({ tenant: 't-1' })

      const warrenQueues = (await queueNames()).filter((n) => n.startsWith('warren.'))
      expect(warrenQueues).toHaveLength(DELAY_LEVELS + 2)
      expect(warrenQueues).toEqual(
        expect.arrayContaining([
          'warren.delay.1ms',
          'warren.delay.4096ms',
          `warren.delay.${2 ** (DELAY_LEVELS - 1)}ms`,
          'warren.delay.deliver',
          'warren.delay.deliver.dlq',
        ]),
      )
    } finally {
      await broker.close()
    }
  })

  it('is delivered by another instance when the publisher is gone', async () => {
    const publisher = await connect({ url: vhost.url, topology })
    await publisher.publish('reminders', 'reminder.due', { id: 'orphan' }, { delay: '1s' })
    await publisher.close()

    const other = await connect({ url: vhost.url, topology })
    try {
      const bodies: unknown[] = []
      await other.consume('reminders.send', (msg) => {
        bodies.push(msg.body)
      })
      await waitFor(() => bodies.length === 1, 'the orphaned reminder', 10_000)
      expect(bodies).toEqual([{ id: 'orphan' }])
    } finally {
      await other.close()
    }
  })

  it('delivers a delayed message across a lost connection, and delays again after the reconnect', async () => {
    const broker = await connect({ url: vhost.url, topology, reconnect: { initialDelay: '50ms' } })
    try {
      const bodies: unknown[] = []
      await broker.consume('reminders.send', (msg) => {
        bodies.push(msg.body)
      })
      await broker.publish('reminders', 'reminder.due', { id: 'before' }, { delay: '1s' })
      await vhost.closeConnections()
      await broker.publish('reminders', 'reminder.due', { id: 'after' }, { delay: '500ms' })
      await waitFor(() => bodies.length === 2, 'both reminders', 10_000)
      expect(bodies).toEqual(expect.arrayContaining([{ id: 'before' }, { id: 'after' }]))
    } finally {
      await broker.close()
    }
  })

  it('delays each message of a batch by its own delay, after validating them all', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const order: string[] = []
      await broker.consume('reminders.send', (msg) => {
        order.push((msg.body as { id: string }).id)
      })
      await broker.publishBatch([
        {
          exchange: 'reminders',
          routingKey: 'reminder.due',
          body: { id: 'late' },
          options: { delay: '900ms' },
        },
        { exchange: 'reminders', routingKey: 'reminder.due', body: { id: 'now' } },
        {
          exchange: 'reminders',
          routingKey: 'reminder.due',
          body: { id: 'soon' },
          options: { delay: '300ms' },
        },
      ])
      await waitFor(() => order.length === 3, 'the batch', 10_000)
      expect(order).toEqual(['now', 'soon', 'late'])
    } finally {
      await broker.close()
    }
  })

  it('declares the deliver queue again when an operator deletes it, and delivers what comes after', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const bodies: unknown[] = []
      await broker.consume('reminders.send', (msg) => {
        bodies.push(msg.body)
      })
      await broker.publish('reminders', 'reminder.due', { id: 'first' }, { delay: '50ms' })
      await waitFor(() => bodies.length === 1, 'the first reminder')
      const channel = await (await vhost.raw()).createChannel()
      await channel.deleteQueue('warren.delay.deliver')
      await channel.close()
      // A message dead-lettered into the missing queue meanwhile waits in its level until the
      // broker retries it (at-least-once); this one is published once the queue is back.
      await waitFor(
        async () => (await queueNames()).includes('warren.delay.deliver'),
        'the deliver queue to be declared again',
        10_000,
      )
      await broker.publish('reminders', 'reminder.due', { id: 'second' }, { delay: '200ms' })
      await waitFor(() => bodies.length === 2, 'the reminder after the deletion', 10_000)
      expect(bodies).toEqual([{ id: 'first' }, { id: 'second' }])
    } finally {
      await broker.close()
    }
  })

  it('dead-letters a delayed message its destination does not take, with the failure headers', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      await broker.publish('reminders', 'nobody.listens', { id: 'lost' }, { delay: '100ms' })
      await waitFor(
        async () => (await vhost.count('warren.delay.deliver.dlq')) === 1,
        'the dead letter',
      )
      const [dead] = await vhost.drain('warren.delay.deliver.dlq')
      expect(JSON.parse(dead?.content.toString() ?? '')).toEqual({ id: 'lost' })
      expect(dead?.properties.headers).toMatchObject({
        [HEADERS.deadLetterReason]: 'non-retryable',
        [HEADERS.originalQueue]: 'warren.delay.deliver',
        [HEADERS.errorName]: 'UnroutableError',
        [HEADERS.delayExchange]: 'reminders',
        [HEADERS.delayRoutingKey]: 'nobody.listens',
      })
    } finally {
      await broker.close()
    }
  })

  it('refuses a delay beyond the highest level, sending nothing', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      await expect(
        broker.publish('reminders', 'reminder.due', { id: 'far' }, { delay: '1000d' }),
      ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    } finally {
      await broker.close()
    }
  })
})
