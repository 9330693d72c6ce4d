import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-close')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  queues: { 'reports.render': { retry: false } },
})

describe('closing', () => {
  it('lets running handlers finish and acks their messages before the connection closes', async () => {
    const broker = await connect({ url: vhost.url, topology })
    const started: string[] = []
    const finished: string[] = []
    try {
      await broker.consume(
        'reports.render',
        async (msg) => {
          started.push(msg.messageId)
          await new Promise((resolve) => setTimeout(resolve, 300))
          finished.push(msg.messageId)
        },
        { concurrency: 3, prefetch: 3 },
      )
      await Promise.all(
        ['r-1', 'r-2', 'r-3'].map((id) =>
          broker.publish('', 'reports.render', { id }, { messageId: id }),
        ),
      )
      await waitFor(() => started.length === 3, 'three handlers to start')
    } finally {
      await broker.close()
    }
    expect(finished.sort()).toEqual(['r-1', 'r-2', 'r-3'])
    expect(await vhost.count('reports.render')).toBe(0)
  })

  it('consumer.cancel() stops deliveries after the running handler finishes; the rest stay queued', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const finished: string[] = []
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => (release = resolve))
      const consumer = await broker.consume(
        'reports.render',
        async (msg) => {
          await gate
          finished.push(msg.messageId)
        },
        { concurrency: 1, prefetch: 1 },
      )
      await broker.publishBatch(
        ['a', 'b', 'c'].map((id) => ({
          exchange: '',
          routingKey: 'reports.render',
          body: { id },
          options: { messageId: id },
        })),
      )
      await waitFor(async () => (await vhost.count('reports.render')) === 2, 'one delivery')
      const cancelled = consumer.cancel()
      release()
      await cancelled
      expect(finished).toEqual(['a'])
      expect(await vhost.count('reports.render')).toBe(2)
    } finally {
      await broker.close()
    }
    await vhost.drain('reports.render')
  })
})
