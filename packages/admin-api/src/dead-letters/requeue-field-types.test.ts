// Requeue and restore against real brokers: every header comes back with the AMQP type and value
// its producer wrote, read by a reader that honours types (the raw header bytes, not amqplib's
// guesses). Runs on each broker Warren supports.
import { BROKER, createTestVhost, type TestVhost } from '@warren/test-kit'
import { connect } from 'amqplib'
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureRawProperties, safeHeadersOf, typedHeadersOf } from '../rabbit/message-headers.js'
import type { FieldTable } from '../rabbit/field-table.js'
import type { ArchiveListResult, DeleteResult, RequeueResult, RestoreResult } from './schemas.js'
import { createTestApp, dlqPath } from '../test-support/dead-letter-app.js'

/** Headers of every type, as amqplib is told to write them (a producer such as pika would). */
const WRITTEN: Record<string, unknown> = {
  boolean: true,
  int8: { '!': 'int8', value: -5 },
  uint8: { '!': 'uint8', value: 250 },
  int16: { '!': 'int16', value: -300 },
  uint16: { '!': 'uint16', value: 65_000 },
  int32: { '!': 'int32', value: -5 },
  uint32: { '!': 'uint32', value: 4_000_000_000 },
  int64: { '!': 'int64', value: 2n ** 53n + 1n },
  'int64-negative': { '!': 'int64', value: -(2n ** 62n) },
  float: { '!': 'float', value: 1.5 },
  double: { '!': 'double', value: 2 },
  // amqplib takes the digits unsigned only; these are the bytes of a signed -5.
  decimal: { '!': 'decimal', value: { places: 2, digits: 0xff_ff_ff_fb } },
  timestamp: { '!': 'timestamp', value: 1_700_000_000 },
  bytes: Buffer.from([0, 255, 7]),
  void: null,
  'long-string': 'naïve text',
  table: {
    count: { '!': 'int16', value: -2 },
    price: { '!': 'decimal', value: { places: 1, digits: 15 } },
    flags: { enabled: false },
  },
  array: [
    { '!': 'uint32', value: 7 },
    'text',
    { '!': 'double', value: 0.5 },
    [{ '!': 'int8', value: -1 }],
  ],
}

/** The same headers as they must read back, tag and value. */
const READ: FieldTable = {
  boolean: { type: 't', value: true },
  int8: { type: 'b', value: -5 },
  uint8: { type: 'B', value: 250 },
  int16: { type: 's', value: -300 },
  uint16: { type: 'u', value: 65_000 },
  int32: { type: 'I', value: -5 },
  uint32: { type: 'i', value: 4_000_000_000 },
  int64: { type: 'l', value: 9_007_199_254_740_993n },
  'int64-negative': { type: 'l', value: -4_611_686_018_427_387_904n },
  float: { type: 'f', value: 1.5 },
  double: { type: 'd', value: 2 },
  decimal: { type: 'D', value: { places: 2, digits: -5 } },
  timestamp: { type: 'T', value: 1_700_000_000n },
  bytes: { type: 'x', value: Buffer.from([0, 255, 7]) },
  void: { type: 'V', value: null },
  'long-string': { type: 'S', value: 'naïve text' },
  table: {
    type: 'F',
    value: {
      count: { type: 's', value: -2 },
      price: { type: 'D', value: { places: 1, digits: 15 } },
      flags: { type: 'F', value: { enabled: { type: 't', value: false } } },
    },
  },
  array: {
    type: 'A',
    value: [
      { type: 'i', value: 7 },
      { type: 'S', value: 'text' },
      { type: 'd', value: 0.5 },
      { type: 'A', value: [{ type: 'b', value: -1 }] },
    ],
  },
}

describe(`on ${BROKER.label}`, () => {
  const broker = BROKER
  let vhost: TestVhost
  let model: ChannelModel
  let channel: ConfirmChannel
  let api: ReturnType<typeof createTestApp>

  beforeAll(async () => {
    vhost = await createTestVhost('warren-field-types', broker)
    model = await connect(vhost.url)
    // The test reads with the admin API's own reader, which honours each field's type.
    captureRawProperties(model)
    channel = await model.createConfirmChannel()
    api = createTestApp(vhost.name, broker)
  })

  afterAll(async () => {
    try {
      await api?.close()
      await model?.close()
    } finally {
      await vhost?.remove()
    }
  })

  /** A work queue whose rejected messages the broker dead-letters to `<name>.dlq`. */
  async function deadLettered(
    name: string,
    headers: Record<string, unknown>,
    dlqType: 'classic' | 'quorum' = 'classic',
  ) {
    const dlq = `${name}.dlq`
    await channel.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': dlqType } })
    await channel.assertQueue(name, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq },
    })
    const options: Options.Publish = { messageId: `${name}-1`, persistent: true, headers }
    channel.sendToQueue(name, Buffer.from('{}'), options)
    await channel.waitForConfirms()
    channel.nack(await next(name), false, false)
    // The broker dead-letters asynchronously: wait until the DLQ holds the message.
    const deadline = Date.now() + 10_000
    while ((await channel.checkQueue(dlq)).messageCount === 0) {
      if (Date.now() > deadline) throw new Error(`nothing was dead-lettered to ${dlq}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return { work: name, dlq, id: `${name}-1` }
  }

  /** The next message of `queue`, waited for (a dead-letter or quorum queue is not instant). */
  async function next(queue: string) {
    const deadline = Date.now() + 10_000
    for (;;) {
      const message = await channel.get(queue, { noAck: false })
      if (message) return message
      if (Date.now() > deadline) throw new Error(`no message in ${queue}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  it('requeue republishes every header with the AMQP type and value its producer wrote', async () => {
    const { work, dlq, id } = await deadLettered('typed', {
      ...WRITTEN,
      'warren-original-queue': 'typed',
    })

    const response = await api.post<RequeueResult>(`${dlqPath(vhost.name, dlq)}/requeue`, {
      ids: [id],
    })
    const requeued = await next(work)
    channel.ack(requeued)
    const { headers, error } = typedHeadersOf(requeued.properties)

    expect(response.body).toMatchObject({ requeued: 1, failed: [] })
    expect(error).toBeUndefined()
    expect(headers).toMatchObject({
      ...READ,
      'warren-original-queue': { type: 'S', value: 'typed' },
      'warren-attempt': { type: 'b', value: 0 },
      'warren-requeue-count': { type: 'b', value: 1 },
    })
    // The broker's record of the death is not republished: it starts afresh with the next death
    // (3.10 would add to the old entry and keep the first death's time), and what came before
    // is carried in warren-previous-attempts.
    expect(headers['x-death']).toBeUndefined()
    expect(headers['warren-previous-attempts']).toBeDefined()
  })

  it('requeue keeps a header named __proto__ a header and every other header as it was', async () => {
    const headers: Record<string, unknown> = {
      'warren-original-queue': 'proto',
      'warren-error-message': 'boom',
    }
    Object.defineProperty(headers, '__proto__', {
      value: { 'warren-error-message': 'forged', injected: 'yes' },
      enumerable: true,
    })
    const { work, dlq, id } = await deadLettered('proto', headers)

    const response = await api.post<RequeueResult>(`${dlqPath(vhost.name, dlq)}/requeue`, {
      ids: [id],
    })
    const requeued = await next(work)
    channel.ack(requeued)
    const shown = safeHeadersOf(requeued.properties).headers

    expect(response.body).toMatchObject({ requeued: 1, failed: [] })
    expect(shown['__proto__']).toEqual({ 'warren-error-message': 'forged', injected: 'yes' })
    expect(shown['warren-error-message']).toBe('boom')
    expect(shown['warren-original-queue']).toBe('proto')
    expect('injected' in shown).toBe(false)
    expect(Object.getPrototypeOf(shown)).toBeNull()
  })

  it('requeue leaves the broker`s delivery headers out of the copy it republishes', async () => {
    const { work, dlq, id } = await deadLettered(
      'redelivered',
      { 'warren-original-queue': 'redelivered' },
      'quorum',
    )
    // Given back once, a quorum queue's message carries a delivery count (3.x: x-delivery-count,
    // 4.x: x-acquired-count).
    channel.nack(await next(dlq), false, true)
    const again = await next(dlq)
    const counted = Object.keys(typedHeadersOf(again.properties).headers)
    channel.nack(again, false, true)

    const response = await api.post<RequeueResult>(`${dlqPath(vhost.name, dlq)}/requeue`, {
      ids: [id],
    })
    const requeued = await next(work)
    channel.ack(requeued)
    const kept = Object.keys(typedHeadersOf(requeued.properties).headers)

    expect(counted).toEqual(
      expect.arrayContaining([expect.stringMatching(/^x-(delivery|acquired)-count$/)]),
    )
    expect(response.body).toMatchObject({ requeued: 1, failed: [] })
    expect(kept).not.toContain('x-delivery-count')
    expect(kept).not.toContain('x-acquired-count')
  })

  it('a deleted dead letter restored from the archive keeps every header`s type and none of the archive`s', async () => {
    // The archive is a stream, which keeps no table, array or decimal header of its own accord.
    const { dlq, id } = await deadLettered('archived', {
      ...WRITTEN,
      'warren-original-queue': 'archived',
    })

    const deleted = await api.post<DeleteResult>(`${dlqPath(vhost.name, dlq)}/delete`, {
      ids: [id],
    })
    const listed = await api.get<ArchiveListResult>(
      `/api/archive?vhost=${vhost.encoded}&queue=${encodeURIComponent(dlq)}`,
    )
    const ids = listed.body.items.map((item) => item.id)
    const restored = await api.post<RestoreResult>('/api/archive/restore', { ids })
    const back = await next(dlq)
    channel.ack(back)
    const { headers } = typedHeadersOf(back.properties)

    expect(deleted.body).toMatchObject({ deleted: 1, failed: [] })
    expect(restored.body).toMatchObject({ restored: 1, failed: [] })
    expect(headers).toMatchObject(READ)
    expect(Object.keys(headers).filter((key) => /^warren-archive|^x-stream/.test(key))).toEqual([])
  })
})
