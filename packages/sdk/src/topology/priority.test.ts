import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, TopologyError, type TopologyDefinition } from '../index.js'
import { createVhost, management, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-priority')
})
afterAll(async () => {
  await vhost?.delete()
})

describe('message priorities', () => {
  it('declares x-max-priority and delivers higher priorities first', async () => {
    const topology = defineTopology({
      queues: { 'support.ticket': { type: 'classic', maxPriority: 10, retry: false } },
    })
    const broker = await connect({ url: vhost.url, topology })
    try {
      // Queued while nobody consumes, so the broker orders them by priority.
      for (const [ticket, priority] of [
        ['t-low', 1],
        ['t-none', undefined],
        ['t-urgent', 9],
        ['t-mid', 5],
      ] as const) {
        await broker.publish(
          '',
          'support.ticket',
          { ticket },
          priority === undefined ? {} : { priority },
        )
      }
      const info = (await management(
        'GET',
        `/queues/${encodeURIComponent(vhost.name)}/support.ticket`,
      )) as { arguments: Record<string, unknown> }
      expect(info.arguments).toMatchObject({ 'x-queue-type': 'classic', 'x-max-priority': 10 })

      const order: string[] = []
      await broker.consume(
        'support.ticket',
        (msg) => {
          order.push((msg.body as { ticket: string }).ticket)
        },
        { prefetch: 1, concurrency: 1 },
      )
      await waitFor(() => order.length === 4, 'all tickets')
      expect(order).toEqual(['t-urgent', 't-mid', 't-low', 't-none'])
    } finally {
      await broker.close()
    }
  })

  it('refuses priorities on a quorum queue in defineTopology and in connect, naming queue and argument', async () => {
    const definition = { queues: { 'support.chat': { maxPriority: 5 } } } as const
    const fromDefine = (() => {
      try {
        defineTopology(definition)
      } catch (error) {
        return error
      }
    })()
    expect(fromDefine).toBeInstanceOf(TopologyError)
    expect(fromDefine).toMatchObject({
      code: 'TOPOLOGY_INVALID',
      queue: 'support.chat',
      argument: 'x-max-priority',
    })
    expect((fromDefine as Error).message).toContain("needs type 'classic'")

    // A topology written as plain data, without defineTopology, is refused before declaring.
    const plain: TopologyDefinition = definition
    const fromConnect = await connect({ url: vhost.url, topology: plain }).catch((e: unknown) => e)
    expect(fromConnect).toBeInstanceOf(TopologyError)
    expect(fromConnect).toMatchObject({ code: 'TOPOLOGY_INVALID', queue: 'support.chat' })
    const queues = (await management('GET', `/queues/${encodeURIComponent(vhost.name)}`)) as {
      name: string
    }[]
    expect(queues.map((q) => q.name)).not.toContain('support.chat')
  })

  it('refuses a maximum priority outside 1 to 255', () => {
    expect(() =>
      defineTopology({ queues: { 'support.mail': { type: 'classic', maxPriority: 256 } } }),
    ).toThrow(/from 1 to 255, got 256/)
  })
})
