import { Registry, register } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, type Broker } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-metrics')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { orders: { type: 'topic' } },
  queues: {
    'shipping.label': {
      bindings: [{ exchange: 'orders', routingKey: 'order.paid' }],
      retry: { delays: ['200ms'], maxAttempts: 2 },
    },
  },
})

/** The value of one series, as a scrape would show it (0 when absent). */
async function sample(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const base = name.replace(/_(count|sum|bucket)$/, '')
  const metric = await registry.getSingleMetric(base)?.get()
  const series = metric?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? base) === name &&
      Object.entries(labels).every(([key, value]) => v.labels[key] === value),
  )
  return series?.value ?? 0
}

async function withBroker(
  registry: Registry,
  run: (broker: Broker<typeof topology>) => Promise<void>,
  extra: { reconnect?: { initialDelay: number } } = {},
): Promise<void> {
  const broker = await connect({
    url: vhost.url,
    topology,
    metrics: { registry },
    closeTimeout: '5s',
    ...extra,
  })
  try {
    await run(broker)
  } finally {
    await broker.close()
  }
}

describe('metrics', () => {
  it('counts publishes by exchange, routing key and outcome, and times their confirms', async () => {
    const registry = new Registry()
    await withBroker(registry, async (broker) => {
      await Promise.all([1, 2, 3].map(() => broker.publish('orders', 'order.paid', { n: 1 })))
      await expect(broker.publish('orders', 'order.lost', {})).rejects.toThrow(/returned/)
      // @ts-expect-error an exchange the topology does not declare does not compile either
      await expect(broker.publish('no-such-exchange', 'order.paid', {})).rejects.toMatchObject({
        code: 'EXCHANGE_NOT_FOUND',
      })
      await vhost.drain('shipping.label')
    })
    const published = (labels: Record<string, string>) =>
      sample(registry, 'warren_published_total', labels)
    expect(
      await published({ exchange: 'orders', routing_key: 'order.paid', outcome: 'confirmed' }),
    ).toBe(3)
    expect(
      await published({ exchange: 'orders', routing_key: 'order.lost', outcome: 'returned' }),
    ).toBe(1)
    expect(
      await published({
        exchange: 'no-such-exchange',
        routing_key: 'order.paid',
        outcome: 'failed',
      }),
    ).toBe(1)
    // The broker acked the confirmed three and the returned one; the refused one never got an ack.
    expect(await sample(registry, 'warren_publish_confirm_duration_seconds_count')).toBe(4)
  })

  it('counts deliveries as ack, retry and dead_letter per queue, and times every handler run', async () => {
    const registry = new Registry()
    await withBroker(registry, async (broker) => {
      await broker.consume('shipping.label', (msg) => {
        if ((msg.body as { ok: boolean }).ok) return
        throw new Error('printer jammed')
      })
      await broker.publish('orders', 'order.paid', { ok: true })
      await broker.publish('orders', 'order.paid', { ok: false })
      await waitFor(async () => (await vhost.count('shipping.label.dlq')) === 1, 'the dead letter')
      await vhost.drain('shipping.label.dlq')
    })
    const consumed = (outcome: string) =>
      sample(registry, 'warren_consumed_total', { queue: 'shipping.label', outcome })
    expect(await consumed('ack')).toBe(1)
    expect(await consumed('retry')).toBe(1)
    expect(await consumed('dead_letter')).toBe(1)
    expect(
      await sample(registry, 'warren_handler_duration_seconds_count', { queue: 'shipping.label' }),
    ).toBe(3)
  })

  it('shows handlers in flight and publishes held while disconnected, and counts the reconnect', async () => {
    const registry = new Registry()
    await withBroker(
      registry,
      async (broker) => {
        let release = () => {}
        const held = new Promise<void>((resolve) => (release = resolve))
        await broker.consume('shipping.label', () => held, { concurrency: 5 })
        await broker.publish('orders', 'order.paid', { n: 1 })
        await broker.publish('orders', 'order.paid', { n: 2 })
        await waitFor(
          async () =>
            (await sample(registry, 'warren_handlers_in_flight', { queue: 'shipping.label' })) ===
            2,
          'two handlers in flight',
        )
        release()
        await waitFor(
          async () =>
            (await sample(registry, 'warren_handlers_in_flight', { queue: 'shipping.label' })) ===
            0,
          'the handlers to finish',
        )

        const disconnected = new Promise((resolve) => broker.once('disconnected', resolve))
        await vhost.closeConnections()
        await disconnected
        const confirmed = broker.publish('orders', 'order.paid', { n: 3 })
        expect(await sample(registry, 'warren_publish_buffered')).toBe(1)
        await confirmed
        expect(await sample(registry, 'warren_publish_buffered')).toBe(0)
        // The held publish goes out while the new connection is set up, before it is announced.
        await waitFor(
          async () => (await sample(registry, 'warren_reconnects_total')) === 1,
          'the reconnect to be counted',
        )
      },
      { reconnect: { initialDelay: 500 } },
    )
  })

  it('adds up the counts of brokers sharing one registry', async () => {
    const registry = new Registry()
    await withBroker(registry, async (first) => {
      await withBroker(registry, async (second) => {
        await first.publish('orders', 'order.paid', {})
        await second.publish('orders', 'order.paid', {})
      })
    })
    await vhost.drain('shipping.label')
    expect(
      await sample(registry, 'warren_published_total', {
        routing_key: 'order.paid',
        outcome: 'confirmed',
      }),
    ).toBe(2)
  })

  it("is off by default, and `metrics: true` registers in prom-client's global registry", async () => {
    const plain = await connect({ url: vhost.url, topology })
    const global = await connect({ url: vhost.url, topology, metrics: true })
    try {
      expect(plain.metrics).toBeUndefined()
      expect(global.metrics).toBe(register)
      expect(register.getSingleMetric('warren_published_total')).toBeDefined()
    } finally {
      await Promise.all([plain.close(), global.close()])
    }
  })
})
