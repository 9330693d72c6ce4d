import { connect, defineTopology } from '@warren/sdk'
import { BROKER, rabbitmqctl } from '@warren/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WarrenApp } from '../app.js'
import { brokerTestApp } from '../test-support/brokers.js'
import { eventually, operator } from '../test-support/core.js'
import type { BrowseResult } from './schemas.js'

// A message whose handler takes its process down on every delivery: nothing is ever acked,
// rejected or recorded, the connection just ends. The SDK's quorum work queue has an explicit
// delivery limit, so the broker itself dead-letters the message after a few crashes instead of
// letting it loop (or, on 4.x's default of 20 with no target, drop it), and the console says
// in words what happened.
const topology = defineTopology({
  queues: { 'payments.charge': { deliveryLimit: 2, retry: { delays: ['1s'], maxAttempts: 3 } } },
})

describe(`a message that crashes its consumer on every delivery, on ${BROKER.label}`, () => {
  let vhost: Awaited<ReturnType<typeof brokerTestApp>>
  let warren: WarrenApp

  beforeAll(async () => {
    vhost = await brokerTestApp(BROKER, 'warren-crash-loop')
    warren = vhost.start()
  })
  afterAll(() => vhost?.remove())

  it('reaches the DLQ with reason delivery_limit and an explanation an operator can act on', async () => {
    // closeTimeout: the handlers it would wait for never end, as in a process that died.
    const service = await connect({
      url: vhost.url,
      topology,
      service: 'payments',
      closeTimeout: '100ms',
    })
    let deliveries = 0
    try {
      await service.consume('payments.charge', async () => {
        deliveries++
        // The process dies mid-handler: its connection goes, the message was never settled.
        await rabbitmqctl(['close_all_connections', '-p', vhost.name, 'consumer crashed'])
        await new Promise(() => {})
      })
      await service.publish('', 'payments.charge', { order: 7 }, { messageId: 'crash-1' })
      const count = (queue: string) =>
        vhost.channel(async (channel) => (await channel.checkQueue(queue)).messageCount)
      await eventually(async () => ((await count('payments.charge.dlq')) === 1 ? true : undefined))

      expect(await count('payments.charge')).toBe(0)
      // The limit of 2 allows two returns; the third crash is the last.
      expect(deliveries).toBe(3)
    } finally {
      await service.close().catch(() => {})
    }

    const response = await warren.app.request(
      `/api/dead-letters/${vhost.encoded}/payments.charge.dlq/messages`,
      { headers: operator },
    )
    const [view] = ((await response.json()) as BrowseResult).items
    expect(view).toMatchObject({
      messageId: 'crash-1',
      reason: 'delivery_limit',
      originalQueue: 'payments.charge',
      error: null,
      payload: { order: 7 },
    })
    expect(view?.explanation).toMatch(
      /^Delivered( \d+ times)? from 'payments\.charge' without an ack or a reject, up to the queue's delivery limit: the consumer crashed/,
    )
  })
})
