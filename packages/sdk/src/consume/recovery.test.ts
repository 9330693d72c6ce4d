import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology } from '../index.js'
import { captureLogger } from '../test-support/capture-logger.js'
import { brokerMajor, createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-recovery')
})
afterAll(async () => {
  await vhost?.delete()
})

describe('a consumer the broker lets go of', () => {
  it('consumes again after its quorum consumer timed out (4.x cancels it), and the message is handled on redelivery', async () => {
    // x-consumer-timeout is a queue argument from 3.12 on; 3.10 ignores it.
    const topology = defineTopology({
      queues: { 'label.print': { retry: false, arguments: { 'x-consumer-timeout': 1000 } } },
    })
    const logger = captureLogger()
    const broker = await connect({ url: vhost.url, topology, logger })
    try {
      const events: string[] = []
      broker.on('consumer-cancelled', ({ queue }) => events.push(`cancelled ${queue}`))
      broker.on('consumer-resumed', ({ queue }) => events.push(`resumed ${queue}`))
      const deliveries: boolean[] = []
      await broker.consume(
        'label.print',
        async (msg) => {
          deliveries.push(msg.redelivered)
          // The first delivery outlives the broker's 1 s consumer timeout.
          if (deliveries.length === 1) await new Promise((resolve) => setTimeout(resolve, 2500))
        },
        { timeout: '10s' },
      )
      await broker.publish('', 'label.print', { label: 'l-1' })

      if ((await brokerMajor()) >= 4) {
        await waitFor(() => deliveries.length === 2, 'the redelivery after the timeout')
        expect(deliveries).toEqual([false, true])
        expect(events).toEqual(['cancelled label.print', 'resumed label.print'])
        expect(logger.events.some((e) => e.event === 'consumer-recovering')).toBe(true)
      } else {
        await new Promise((resolve) => setTimeout(resolve, 3500))
        expect(deliveries).toEqual([false])
        expect(events).toEqual([])
      }
      // Acked in the end: no further delivery comes.
      const handled = deliveries.length
      await new Promise((resolve) => setTimeout(resolve, 2000))
      expect(deliveries).toHaveLength(handled)
      expect(await vhost.count('label.print')).toBe(0)
    } finally {
      await broker.close()
    }
  })
})
