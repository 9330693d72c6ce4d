import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import type { BrowseResult, OperationView, RequeueResult } from './schemas.js'
import { createTestApp, dlqPath } from '../test-support/dead-letter-app.js'

let broker: AmqpVhost
let api: ReturnType<typeof createTestApp>

beforeAll(async () => {
  broker = await createAmqpVhost('warren-requeue')
  api = createTestApp(broker.name)
})

afterAll(async () => {
  try {
    await api?.close()
  } finally {
    await broker?.dispose()
  }
})

/** Dead letters as the SDK writes them, from `origin`. */
function deadLetters(origin: string, count: number, prefix = 'm') {
  return Array.from({ length: count }, (_, i) => ({
    body: { i },
    options: {
      messageId: `${prefix}-${i}`,
      contentType: 'application/json',
      type: 'order.created',
      headers: {
        'warren-dead-letter-reason': 'max-attempts',
        'warren-original-queue': origin,
        'warren-attempt': 5,
        'warren-error-message': 'boom',
      },
    },
  }))
}

async function arrange(name: string, count: number) {
  const work = `${name}`
  const dlq = `${name}.dlq`
  await broker.queue(work)
  await broker.queue(dlq)
  await broker.publish(dlq, deadLetters(work, count))
  return { work, dlq }
}

describe('requeue', () => {
  it('puts exactly the 3 selected of 50 dead letters, once each, back on their original queue', async () => {
    const { work, dlq } = await arrange('select', 50)

    const response = await api.post<RequeueResult>(`${dlqPath(broker.name, dlq)}/requeue`, {
      ids: ['m-4', 'm-17', 'm-42'],
    })

    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ requeued: 3, notFound: [], failed: [] })
    const requeued = await broker.drain(work)
    expect(requeued.map((message) => message.messageId)).toEqual(['m-4', 'm-17', 'm-42'])
    expect(requeued[0]?.headers).toMatchObject({
      'warren-attempt': 0,
      'warren-requeue-count': 1,
      'warren-original-queue': work,
      'warren-error-message': 'boom',
    })
    expect(Date.parse(String(requeued[0]?.headers['warren-requeued-at']))).not.toBeNaN()
    const left = await broker.drain(dlq)
    expect(left).toHaveLength(47)
    expect(left.map((message) => message.messageId)).not.toContain('m-17')
    expect(api.audit.at(-1)).toEqual({
      actor: { name: 'test', role: 'operator' },
      action: 'requeue',
      target: `/${encodeURIComponent(broker.name)}/${dlq}`,
      counts: { requeued: 3, notFound: 0, failed: 0 },
      outcome: 'success',
    })
  })

  it('lists ids that are not in the queue as notFound', async () => {
    const { work, dlq } = await arrange('missing-ids', 2)

    const response = await api.post<RequeueResult>(`${dlqPath(broker.name, dlq)}/requeue`, {
      ids: ['m-1', 'never-there'],
    })

    expect(response.body).toMatchObject({ requeued: 1, notFound: ['never-there'], failed: [] })
    expect(await broker.count(work)).toBe(1)
  })

  it('reports a message whose original queue was deleted in failed and keeps it', async () => {
    const { work, dlq } = await arrange('gone', 3)
    await broker.channel.deleteQueue(work)
    await broker.queue('gone-elsewhere')
    await broker.publish(dlq, deadLetters('gone-elsewhere', 1, 'other'))

    const response = await api.post<RequeueResult>(`${dlqPath(broker.name, dlq)}/requeue`, {
      all: true,
    })

    expect(response.body.requeued).toBe(1)
    expect(response.body.failed).toEqual([
      { id: 'm-0', reason: "no queue 'gone' to route to" },
      { id: 'm-1', reason: "no queue 'gone' to route to" },
      { id: 'm-2', reason: "no queue 'gone' to route to" },
    ])
    expect((await broker.drain(dlq)).map((message) => message.messageId)).toEqual([
      'm-0',
      'm-1',
      'm-2',
    ])
    expect(api.audit.at(-1)?.outcome).toBe('partial')
  })

  it('sends messages to the target queue when one is named', async () => {
    const { work, dlq } = await arrange('targeted', 2)
    await broker.queue('targeted.replay')

    const response = await api.post<RequeueResult>(`${dlqPath(broker.name, dlq)}/requeue`, {
      all: true,
      target: 'targeted.replay',
    })

    expect(response.body.requeued).toBe(2)
    expect(await broker.count('targeted.replay')).toBe(2)
    expect(await broker.count(work)).toBe(0)
  })

  it('answers 404 when the named target queue does not exist, and moves nothing', async () => {
    const { dlq } = await arrange('bad-target', 2)

    const response = await api.post(`${dlqPath(broker.name, dlq)}/requeue`, {
      all: true,
      target: 'no-such-queue',
    })

    expect(response.status).toBe(404)
    expect(await broker.count(dlq)).toBe(2)
  })

  it('requeues what the broker dead-lettered to the queue named in x-death', async () => {
    const work = 'rejected'
    await broker.queue(work, 'classic', {
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'rejected.dlq',
    })
    await broker.queue('rejected.dlq')
    await broker.publish(work, [{ body: 'refuse me', options: { messageId: 'r-1' } }])
    const consumer = await broker.connection.createChannel()
    const message = await consumer.get(work)
    if (!message) throw new Error('expected a message on the work queue')
    consumer.nack(message, false, false)
    await consumer.close()
    await broker.count('rejected.dlq')

    const response = await api.post<RequeueResult>(
      `${dlqPath(broker.name, 'rejected.dlq')}/requeue`,
      {
        ids: ['r-1'],
      },
    )

    expect(response.body.requeued).toBe(1)
    expect((await broker.drain(work)).map((m) => m.body)).toEqual(['refuse me'])
  })

  it('requeues a message without messageId by the id browse showed, on a quorum queue', async () => {
    await broker.queue('anonymous')
    await broker.queue('anonymous.dlq', 'quorum')
    await broker.publish('anonymous.dlq', [
      { body: 'first', options: { headers: { 'warren-original-queue': 'anonymous' } } },
      { body: 'second', options: { headers: { 'warren-original-queue': 'anonymous' } } },
    ])
    // Browsing twice redelivers the messages, which adds x-delivery-count to their headers.
    await api.get(`${dlqPath(broker.name, 'anonymous.dlq')}/messages`)
    const page = await api.get<BrowseResult>(`${dlqPath(broker.name, 'anonymous.dlq')}/messages`)
    const second = page.body.items.find((item) => item.payload === 'second')
    if (!second) throw new Error('expected the second message in the page')

    const response = await api.post<RequeueResult>(
      `${dlqPath(broker.name, 'anonymous.dlq')}/requeue`,
      { ids: [second.id] },
    )

    expect(second.id).toMatch(/^sha256:/)
    expect(response.body).toMatchObject({ requeued: 1, notFound: [] })
    expect((await broker.drain('anonymous')).map((message) => message.body)).toEqual(['second'])
  })

  it('answers 409 to a second operation on the same queue while the first runs', async () => {
    const { dlq } = await arrange('twice', 2000)

    const [first, second] = await Promise.all([
      api.post(`${dlqPath(broker.name, dlq)}/requeue`, { all: true }),
      api.post(`${dlqPath(broker.name, dlq)}/requeue`, { all: true }),
    ])

    expect([first.status, second.status].sort()).toEqual([200, 409])
    const conflict = first.status === 409 ? first : second
    expect(conflict.body['type']).toBe('urn:warren:problem:operation-in-progress')
  })

  it('leaves alone the messages that arrive while it runs, and reports its progress', async () => {
    const { work, dlq } = await arrange('arrivals', 3000)
    const operationId = randomUUID()

    const running = api.post<RequeueResult>(`${dlqPath(broker.name, dlq)}/requeue`, {
      all: true,
      operationId,
    })
    let progress = await api.get<OperationView>(`/api/operations/${operationId}`)
    while (progress.status === 404 || progress.body.done === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      progress = await api.get<OperationView>(`/api/operations/${operationId}`)
    }
    await broker.publish(dlq, deadLetters(work, 5, 'late'))
    const response = await running
    const finished = await api.get<OperationView>(`/api/operations/${operationId}`)

    expect(progress.body).toMatchObject({
      id: operationId,
      kind: 'requeue',
      queue: dlq,
      status: 'running',
      total: 3000,
    })
    expect(response.body).toMatchObject({ operationId, requeued: 3000, failed: [] })
    expect(finished.body).toMatchObject({ status: 'succeeded', total: 3000, done: 3000 })
    expect((await broker.drain(dlq)).map((message) => message.messageId)).toEqual([
      'late-0',
      'late-1',
      'late-2',
      'late-3',
      'late-4',
    ])
    expect(await broker.count(work)).toBe(3000)
  })

  it('requeues all of 10,000 dead letters', async () => {
    const { work, dlq } = await arrange('bulk', 10_000)

    const started = performance.now()
    const response = await api.post<RequeueResult>(`${dlqPath(broker.name, dlq)}/requeue`, {
      all: true,
    })
    const elapsed = performance.now() - started
    console.log(`requeue all of 10,000 dead letters: ${elapsed.toFixed(0)} ms`)

    expect(response.body).toMatchObject({ requeued: 10_000, failed: [] })
    expect(await broker.count(work)).toBe(10_000)
    expect((await broker.channel.checkQueue(dlq)).messageCount).toBe(0)
  })
})
