import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, type Logger } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-logging')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  queues: { 'pdf.render': { retry: { delays: ['200ms'], maxAttempts: 2 } } },
})

describe('structured logging', () => {
  it('logs published, retried, dead-lettered and reconnected events through pino', async () => {
    const lines: Record<string, unknown>[] = []
    const logger: Logger = pino(
      { level: 'debug' },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    )
    const broker = await connect({ url: vhost.url, topology, logger })
    try {
      await broker.consume('pdf.render', () => {
        throw new RangeError('page out of range')
      })
      await broker.publish('', 'pdf.render', { page: 9 }, { messageId: 'pdf-9' })
      await waitFor(async () => (await vhost.count('pdf.render.dlq')) === 1, 'the dead letter')
      let reconnected = false
      broker.on('reconnected', () => (reconnected = true))
      await vhost.closeConnections()
      await waitFor(() => reconnected, 'the reconnect')

      const byEvent = (event: string) => lines.filter((line) => line.event === event)
      expect(byEvent('published')[0]).toMatchObject({
        level: 20,
        messageId: 'pdf-9',
        exchange: '',
        routingKey: 'pdf.render',
        durationMs: expect.any(Number),
      })
      expect(byEvent('retried')).toMatchObject([
        {
          level: 30,
          messageId: 'pdf-9',
          queue: 'pdf.render',
          attempt: 1,
          target: 'pdf.render.retry.200ms',
          durationMs: expect.any(Number),
          error: { name: 'RangeError', message: 'page out of range' },
        },
      ])
      expect(byEvent('dead-lettered')).toMatchObject([
        { level: 40, messageId: 'pdf-9', attempt: 2, reason: 'max-attempts' },
      ])
      expect(byEvent('reconnected')).toMatchObject([
        { level: 30, serverVersion: expect.any(String) },
      ])
      expect(byEvent('disconnected')).toHaveLength(1)
    } finally {
      await broker.close()
    }
  })
})
