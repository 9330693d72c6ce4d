import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Progress } from '../operations/registry.js'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import { scanQueue } from './scan.js'

let broker: AmqpVhost

beforeAll(async () => {
  broker = await createAmqpVhost('warren-scan')
})

afterAll(async () => {
  await broker?.dispose()
})

function progress() {
  const seen = { total: 0, done: 0 }
  const handle: Progress = {
    id: 'scan-test',
    setTotal: (total) => (seen.total = total),
    advance: (by = 1) => (seen.done += by),
  }
  return { handle, seen }
}

describe('scanQueue', () => {
  it('reads on with basic.get once held messages fill the prefetch window', async () => {
    // A prefetch of 3 stands for the AMQP maximum of 65,535: with 3 messages left in place,
    // the consumer gets nothing more, as a by-ids operation on a huge queue would.
    await broker.queue('scan.dlq')
    await broker.queue('scan.work')
    const ids = Array.from({ length: 12 }, (_, i) => `m-${i}`)
    await broker.publish(
      'scan.dlq',
      ids.map((id) => ({ body: id, options: { messageId: id } })),
    )
    const wanted = new Set(['m-2', 'm-8', 'm-11'])
    const { handle, seen } = progress()

    const channel = await broker.connection.createConfirmChannel()
    let outcome
    try {
      outcome = await scanQueue(channel, {
        queue: 'scan.dlq',
        // The last two stand for messages that arrived after the operation started.
        count: 10,
        prefetchLimit: 3,
        progress: handle,
        decide: (message, id) =>
          wanted.has(id)
            ? { routingKey: 'scan.work', content: message.content, options: { messageId: id } }
            : null,
      })
    } finally {
      await channel.close()
    }

    expect(outcome).toEqual({ moved: ['m-2', 'm-8'], failed: [], reseated: 0 })
    expect(seen).toEqual({ total: 10, done: 10 })
    expect((await broker.drain('scan.work')).map((m) => m.body)).toEqual(['m-2', 'm-8'])
    expect((await broker.drain('scan.dlq')).map((m) => m.body)).toEqual(
      ids.filter((id) => id !== 'm-2' && id !== 'm-8'),
    )
  })
})
