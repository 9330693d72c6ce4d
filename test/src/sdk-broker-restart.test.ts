import { connect, defineTopology, type Broker } from '@warren/sdk'
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRabbitNode, type RabbitNode } from '../support/rabbit-node.js'

// stop_app / start_app on the shared broker would break every other test: this file runs its own.
let node: RabbitNode
beforeAll(async () => {
  node = await startRabbitNode()
})
afterAll(async () => {
  await node?.stop()
})

const topology = defineTopology({
  exchanges: { telemetry: { type: 'topic' } },
  queues: {
    'metrics.store': {
      bindings: [{ exchange: 'telemetry', routingKey: 'metric.#' }],
      retry: { delays: ['200ms'], maxAttempts: 2 },
    },
  },
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

function connectTo(service: string): Promise<Broker<typeof topology>> {
  return connect({
    url: node.url,
    topology,
    service,
    reconnect: { initialDelay: '100ms', maxDelay: '1s' },
    publish: { timeout: '90s' },
  })
}

describe('SDK across a broker restart', () => {
  it('reconnects after stop_app / start_app mid-stream, resumes publishing and consuming, and loses nothing', async () => {
    const publisher = await connectTo('restart-publisher')
    const consumer = await connectTo('restart-consumer')
    try {
      const events: string[] = []
      publisher.on('disconnected', () => events.push('publisher disconnected'))
      publisher.on('reconnected', () => events.push('publisher reconnected'))
      consumer.on('reconnected', () => events.push('consumer reconnected'))
      const consumed = new Set<string>()
      let duplicates = 0
      await consumer.consume(
        'metrics.store',
        (msg) => {
          if (consumed.has(msg.messageId)) duplicates++
          else consumed.add(msg.messageId)
        },
        { prefetch: 50, concurrency: 10 },
      )

      const total = 3_000
      const confirmed: string[] = []
      const failed: unknown[] = []
      const waves: Promise<void>[] = []
      for (let wave = 0; wave < 6; wave++) {
        const ids = Array.from({ length: total / 6 }, (_, i) => `r-${wave}-${i}`)
        const settled = Promise.allSettled(
          ids.map((id) => publisher.publish('telemetry', 'metric.cpu', { id }, { messageId: id })),
        ).then((results) =>
          results.forEach((r, i) =>
            r.status === 'fulfilled' ? confirmed.push(ids[i] as string) : failed.push(r.reason),
          ),
        )
        waves.push(settled)
        if (wave === 1) {
          // The broker goes away with this wave in flight; waves 2-3 are published while it is down.
          await node.stopApp()
          await waitFor(() => events.includes('publisher disconnected'), 'the disconnect')
        }
        if (wave === 3) await node.startApp()
        if (wave < 1) await settled
      }
      await Promise.all(waves)
      await waitFor(() => confirmed.every((id) => consumed.has(id)), 'every confirmed message')

      const figures = {
        published: total,
        confirmed: confirmed.length,
        failed: failed.length,
        consumedUnique: consumed.size,
        duplicates,
        lost: confirmed.filter((id) => !consumed.has(id)).length,
      }
      console.log(`[no-loss stop_app/start_app] ${JSON.stringify(figures)}`)
      expect(figures.lost).toBe(0)
      expect(figures.confirmed).toBe(total)
      expect(figures.consumedUnique).toBe(total)
      expect(events).toEqual(
        expect.arrayContaining(['publisher reconnected', 'consumer reconnected']),
      )
    } finally {
      await Promise.allSettled([publisher.close(), consumer.close()])
    }
  })

  it('declares the topology again when the broker comes back without it', async () => {
    const broker = await connectTo('restart-reset')
    try {
      const bodies: unknown[] = []
      let reconnected = false
      broker.on('reconnected', () => (reconnected = true))
      await broker.consume('metrics.store', (msg) => {
        bodies.push(msg.body)
      })
      // A reset node has lost every exchange and queue.
      await node.stopApp()
      await node.ctl('reset')
      await node.startApp()
      await waitFor(() => reconnected, 'the reconnect')

      await broker.publish('telemetry', 'metric.disk', { free: 42 })
      await waitFor(() => bodies.length === 1, 'the message through the new topology')
      expect(bodies).toEqual([{ free: 42 }])
      const raw = await amqp.connect(node.url)
      try {
        const channel = await raw.createChannel()
        for (const queue of ['metrics.store', 'metrics.store.retry.200ms', 'metrics.store.dlq']) {
          expect((await channel.checkQueue(queue)).queue).toBe(queue)
        }
        await channel.checkExchange('telemetry')
      } finally {
        await raw.close()
      }
    } finally {
      await broker.close()
    }
  })
})

describe('SDK while the broker is blocked', () => {
  it('makes publishers wait during a memory alarm, times out those that wait too long, and sends the rest after', async () => {
    const broker = await connectTo('blocked-publisher')
    try {
      const events: string[] = []
      broker.on('blocked', ({ reason }) => events.push(`blocked: ${reason}`))
      broker.on('unblocked', () => events.push('unblocked'))
      await node.ctl('set_vm_memory_high_watermark', '0')
      try {
        // RabbitMQ announces the block to a connection once it publishes.
        const first = broker.publish('telemetry', 'metric.mem', { n: 1 }, { timeout: '60s' })
        await waitFor(() => events.length === 1, 'the blocked notification')
        const impatient = broker.publish('telemetry', 'metric.mem', { n: 2 }, { timeout: '300ms' })
        const patient = broker.publish('telemetry', 'metric.mem', { n: 3 }, { timeout: '60s' })
        await expect(impatient).rejects.toMatchObject({ code: 'TIMEOUT' })
        let patientDone = false
        void patient.then(() => (patientDone = true))
        await sleep(300)
        expect(patientDone).toBe(false)
        await node.ctl('set_vm_memory_high_watermark', '0.4')
        await Promise.all([first, patient])
      } finally {
        await node.ctl('set_vm_memory_high_watermark', '0.4')
      }
      expect(events[0]).toMatch(/^blocked: /)
      expect(events).toContain('unblocked')
    } finally {
      await broker.close()
    }
  })
})
