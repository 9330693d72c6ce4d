import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, NonRetryableError } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-no-dlq')
})
afterAll(async () => {
  await vhost?.delete()
})

describe('a queue declared without a dead-letter queue', () => {
  it('rejects what it cannot process, so the dead-letter exchange its operator configured catches it', async () => {
    // The operator's own dead-letter setup, made without the SDK.
    const raw = await (await vhost.raw()).createChannel()
    await raw.assertExchange('ops.dlx', 'fanout', { durable: true })
    await raw.assertQueue('ops.failed', { durable: true })
    await raw.bindQueue('ops.failed', 'ops.dlx', '')
    await raw.close()

    const topology = defineTopology({
      queues: {
        'audit.write': {
          type: 'classic',
          retry: false,
          deadLetter: false,
          arguments: { 'x-dead-letter-exchange': 'ops.dlx' },
        },
      },
    })
    const broker = await connect({ url: vhost.url, topology })
    try {
      await broker.consume('audit.write', () => {
        throw new NonRetryableError('audit store refused the record')
      })
      await broker.publish('', 'audit.write', { record: 1 }, { messageId: 'record-1' })
      await waitFor(async () => (await vhost.count('ops.failed')) === 1, 'the rejected message')
      const [message] = await vhost.drain('ops.failed')
      expect(message?.properties.messageId).toBe('record-1')
      expect(JSON.parse(message?.content.toString() ?? 'null')).toEqual({ record: 1 })
      expect(await vhost.count('audit.write')).toBe(0)
    } finally {
      await broker.close()
    }
  })
})
