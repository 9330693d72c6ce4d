import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BROKER } from '@warren/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toAmqpMessage } from '../dead-letters/stored-message.js'
import { AmqpPool } from '../rabbit/amqp.js'
import { typedHeadersOf } from '../rabbit/message-headers.js'
import { createLogger } from '../security/logger.js'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import { createIntake, toNewDeadLetter } from './intake.js'
import { createSqliteStore } from './sqlite.js'
import type { DeadLetterStore } from './types.js'

let broker: AmqpVhost
let dir: string
let store: DeadLetterStore
let pool: AmqpPool
const lines: string[] = []
const log = createLogger(
  (text) => text,
  (line) => lines.push(line),
)

beforeAll(async () => {
  broker = await createAmqpVhost('warren-intake')
  dir = await mkdtemp(join(tmpdir(), 'warren-intake-'))
  store = createSqliteStore({ path: join(dir, 'store.sqlite') })
  await store.init()
  pool = new AmqpPool({ urls: [BROKER.amqp] })
})

afterAll(async () => {
  await pool?.close()
  await store?.close()
  await broker?.dispose()
  await rm(dir, { recursive: true, force: true })
})

const failed = (i: number) => ({
  body: { order: i },
  options: {
    messageId: `order-${i}`,
    contentType: 'application/json',
    headers: {
      'warren-error-name': i % 2 === 0 ? 'TimeoutError' : 'ValidationError',
      'warren-error-message': `order ${i} failed`,
      // An AMQP long-long (amqplib sends numbers beyond 32 bits as one) must come back as one.
      'x-big': 2 ** 40 + i,
      'warren-original-queue': 'orders',
    },
  },
})

async function until(check: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('dead-letter intake', () => {
  it('drains classic and quorum DLQs into the store, each message once, headers typed as sent', async () => {
    await broker.queue('intake.classic.dlq')
    await broker.queue('intake.quorum.dlq', 'quorum')
    const sent = Array.from({ length: 1500 }, (_, i) => failed(i))
    await broker.publish('intake.classic.dlq', sent.slice(0, 1000))
    await broker.publish('intake.quorum.dlq', sent.slice(1000))
    const intake = createIntake({
      store,
      pool,
      log,
      queues: async () => [
        { vhost: broker.name, name: 'intake.classic.dlq' },
        { vhost: broker.name, name: 'intake.quorum.dlq' },
      ],
    })
    intake.start()
    try {
      await until(
        async () =>
          (await store.count(broker.name, 'intake.classic.dlq')) === 1000 &&
          (await store.count(broker.name, 'intake.quorum.dlq')) === 500,
      )
      await until(
        async () =>
          (await broker.count('intake.classic.dlq')) === 0 &&
          (await broker.count('intake.quorum.dlq')) === 0,
      )
    } finally {
      await intake.stop()
    }
    expect(intake.counts()).toEqual({ inserted: 1500, duplicates: 0 })

    const page = await store.page(broker.name, 'intake.classic.dlq', {}, 3, 0)
    expect(page.map((row) => row.messageId)).toEqual(['order-0', 'order-1', 'order-2'])
    expect(page[1]).toMatchObject({
      state: 'held',
      errorName: 'ValidationError',
      errorMessage: 'order 1 failed',
      originalQueue: 'orders',
    })
    const { headers } = typedHeadersOf(toAmqpMessage(page[1]!).properties)
    expect(headers['x-big']).toEqual({ type: 'l', value: BigInt(2 ** 40 + 1) })
    expect(JSON.parse(page[1]!.content.toString())).toEqual({ order: 1 })
  })

  it.each(['classic', 'quorum'] as const)(
    'skips the copies RabbitMQ redelivers after a crash between commit and ack (%s DLQ)',
    async (type) => {
      // A quorum queue redelivers with an x-delivery-count header the stored copy did not have.
      const dlq = `intake.crash.${type}.dlq`
      await broker.queue(dlq, type)
      await broker.publish(
        dlq,
        Array.from({ length: 200 }, (_, i) => failed(i)),
      )
      // A crash after the commit: the rows are in the store, the deliveries were never acked.
      // Taken as the intake takes them: on a connection that keeps each header frame's bytes.
      const channel = await pool.openChannel(broker.name)
      await channel.prefetch(500)
      const taken: Parameters<typeof toNewDeadLetter>[2][] = []
      await channel.consume(dlq, (m) => m && taken.push(m), { noAck: false })
      await until(async () => taken.length === 200)
      await store.insert(taken.map((m) => toNewDeadLetter(broker.name, dlq, m, 1)))
      await channel.close()

      const intake = createIntake({
        store,
        pool,
        log,
        queues: async () => [{ vhost: broker.name, name: dlq }],
      })
      intake.start()
      try {
        await until(async () => (await broker.count(dlq)) === 0)
        await until(async () => intake.counts().duplicates === 200)
      } finally {
        await intake.stop()
      }
      expect(intake.counts()).toEqual({ inserted: 0, duplicates: 200 })
      expect(await store.count(broker.name, dlq)).toBe(200)
    },
  )

  it('keeps identical dead letters that were not redelivered: both are real', async () => {
    await broker.queue('intake.twins.dlq')
    const twin = { body: 'same', options: { headers: { 'x-death-reason': 'same' } } }
    await broker.publish('intake.twins.dlq', [twin, twin])
    const intake = createIntake({
      store,
      pool,
      log,
      queues: async () => [{ vhost: broker.name, name: 'intake.twins.dlq' }],
    })
    intake.start()
    try {
      await until(async () => (await store.count(broker.name, 'intake.twins.dlq')) === 2)
    } finally {
      await intake.stop()
    }
    expect(await broker.count('intake.twins.dlq')).toBe(0)
  })
})
