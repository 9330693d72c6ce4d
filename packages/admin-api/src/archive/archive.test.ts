import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  ArchiveListResult,
  DeleteResult,
  OperationView,
  PurgeResult,
  RestoreResult,
} from '../dead-letters/schemas.js'
import { createTestApp, dlqPath } from '../test-support/dead-letter-app.js'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'

let broker: AmqpVhost
let api: ReturnType<typeof createTestApp>

beforeAll(async () => {
  broker = await createAmqpVhost('warren-archive')
  api = createTestApp(broker.name)
})

afterAll(async () => {
  try {
    await api?.close()
  } finally {
    await broker?.dispose()
  }
})

async function arrange(dlq: string, count: number) {
  await broker.queue(dlq)
  await broker.publish(
    dlq,
    Array.from({ length: count }, (_, i) => ({
      body: { i },
      options: {
        messageId: `${dlq}-${i}`,
        contentType: 'application/json',
        headers: { 'warren-original-queue': 'work', 'warren-error-message': `failure ${i}` },
      },
    })),
  )
}

const archivePath = (queue: string) =>
  `/api/archive?vhost=${encodeURIComponent(broker.name)}&queue=${encodeURIComponent(queue)}`

describe('purge', () => {
  it('answers 400 and purges nothing when the confirmation is not the exact queue name', async () => {
    await arrange('careful.dlq', 4)

    const wrongCase = await api.post(`${dlqPath(broker.name, 'careful.dlq')}/purge`, {
      confirm: 'Careful.dlq',
    })
    const missing = await api.post(`${dlqPath(broker.name, 'careful.dlq')}/purge`, {})

    expect(wrongCase.status).toBe(400)
    expect(wrongCase.body['type']).toBe('urn:warren:problem:confirmation-mismatch')
    expect(missing.status).toBe(400)
    expect(await broker.count('careful.dlq')).toBe(4)
    expect((await api.get<ArchiveListResult>(archivePath('careful.dlq'))).body.total).toBe(0)
  })

  it('archives every message, then empties the queue and records who did it', async () => {
    await arrange('purged.dlq', 5)

    const response = await api.post<PurgeResult>(`${dlqPath(broker.name, 'purged.dlq')}/purge`, {
      confirm: 'purged.dlq',
    })
    const archived = await api.get<ArchiveListResult>(archivePath('purged.dlq'))

    expect(response.body).toMatchObject({ purged: 5, failed: [] })
    expect((await broker.channel.checkQueue('purged.dlq')).messageCount).toBe(0)
    expect(archived.body.total).toBe(5)
    expect(archived.body.items.map((item) => item.message.messageId)).toEqual([
      'purged.dlq-4',
      'purged.dlq-3',
      'purged.dlq-2',
      'purged.dlq-1',
      'purged.dlq-0',
    ])
    expect(archived.body.items[0]).toMatchObject({
      vhost: broker.name,
      archivedFrom: 'purged.dlq',
      archivedBy: 'test',
      restoredAt: null,
      message: { payload: { i: 4 }, error: { message: 'failure 4' } },
    })
    expect(api.audit.at(-1)).toMatchObject({
      action: 'purge',
      target: `/${encodeURIComponent(broker.name)}/purged.dlq`,
      counts: { purged: 5, failed: 0 },
      outcome: 'success',
    })
  })

  it('leaves alone the messages that arrive while it runs', async () => {
    await arrange('busy.dlq', 2000)
    const operationId = randomUUID()

    const running = api.post<PurgeResult>(`${dlqPath(broker.name, 'busy.dlq')}/purge`, {
      confirm: 'busy.dlq',
      operationId,
    })
    let progress = await api.get<OperationView>(`/api/operations/${operationId}`)
    while (progress.status === 404 || progress.body.done === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      progress = await api.get<OperationView>(`/api/operations/${operationId}`)
    }
    await broker.publish('busy.dlq', [{ body: 'late', options: { messageId: 'late-1' } }])
    const response = await running

    expect(progress.body).toMatchObject({ kind: 'purge', status: 'running', total: 2000 })
    expect(response.body).toMatchObject({ operationId, purged: 2000, failed: [] })
    expect((await broker.drain('busy.dlq')).map((message) => message.messageId)).toEqual(['late-1'])
  })
})

describe('delete and restore', () => {
  it('deletes the chosen messages into the archive and restores them to their queue once', async () => {
    await arrange('orders.dlq', 6)

    const deleted = await api.post<DeleteResult>(`${dlqPath(broker.name, 'orders.dlq')}/delete`, {
      ids: ['orders.dlq-1', 'orders.dlq-4', 'nope'],
    })
    const remaining = await broker.count('orders.dlq')
    const archived = await api.get<ArchiveListResult>(archivePath('orders.dlq'))
    const ids = archived.body.items.map((item) => item.id)
    const restored = await api.post<RestoreResult>('/api/archive/restore', { ids })
    const again = await api.post<RestoreResult>('/api/archive/restore', { ids })
    const afterRestore = await api.get<ArchiveListResult>(archivePath('orders.dlq'))

    expect(deleted.body).toMatchObject({ deleted: 2, notFound: ['nope'], failed: [] })
    expect(remaining).toBe(4)
    expect(archived.body.items.map((item) => item.message.id)).toEqual([
      'orders.dlq-4',
      'orders.dlq-1',
    ])
    expect(restored.body).toMatchObject({
      restored: 2,
      notFound: [],
      alreadyRestored: [],
      failed: [],
    })
    expect(again.body).toMatchObject({ restored: 0, alreadyRestored: ids })
    expect(afterRestore.body.items.every((item) => item.restoredAt !== null)).toBe(true)
    const back = await broker.drain('orders.dlq')
    expect(back.map((message) => message.messageId)).toEqual([
      'orders.dlq-0',
      'orders.dlq-2',
      'orders.dlq-3',
      'orders.dlq-5',
      'orders.dlq-4',
      'orders.dlq-1',
    ])
    const restoredMessage = back.find((message) => message.messageId === 'orders.dlq-4')
    expect(restoredMessage?.headers).toEqual({
      'warren-original-queue': 'work',
      'warren-error-message': 'failure 4',
    })
    expect(api.audit.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['delete', 'restore']),
    )
  })

  it('restores everything not yet restored from one queue with all', async () => {
    await arrange('bulk.dlq', 3)
    await api.post(`${dlqPath(broker.name, 'bulk.dlq')}/purge`, { confirm: 'bulk.dlq' })

    const response = await api.post<RestoreResult>('/api/archive/restore', {
      all: true,
      vhost: broker.name,
      queue: 'bulk.dlq',
    })
    const second = await api.post<RestoreResult>('/api/archive/restore', {
      all: true,
      vhost: broker.name,
      queue: 'bulk.dlq',
    })

    expect(response.body.restored).toBe(3)
    expect(second.body.restored).toBe(0)
    expect(await broker.count('bulk.dlq')).toBe(3)
  })

  it('reports a restore whose queue was deleted in failed and keeps it restorable', async () => {
    await arrange('vanished.dlq', 1)
    await api.post(`${dlqPath(broker.name, 'vanished.dlq')}/purge`, { confirm: 'vanished.dlq' })
    await broker.channel.deleteQueue('vanished.dlq')
    const [item] = (await api.get<ArchiveListResult>(archivePath('vanished.dlq'))).body.items
    if (!item) throw new Error('expected the purged message in the archive')

    const response = await api.post<RestoreResult>('/api/archive/restore', { ids: [item.id] })
    const listed = await api.get<ArchiveListResult>(archivePath('vanished.dlq'))

    expect(response.body).toMatchObject({
      restored: 0,
      failed: [{ id: item.id, reason: "no queue 'vanished.dlq' to route to" }],
    })
    expect(listed.body.items[0]?.restoredAt).toBeNull()
  })

  it('lists unknown archive ids as notFound', async () => {
    const response = await api.post<RestoreResult>('/api/archive/restore', {
      ids: [`${encodeURIComponent(broker.name)}:999999`, 'not-an-id'],
    })
    expect(response.body.restored).toBe(0)
    expect([...response.body.notFound].sort()).toEqual(
      [`${encodeURIComponent(broker.name)}:999999`, 'not-an-id'].sort(),
    )
  })
})

describe('operations', () => {
  it('answers 404 for an operation id nobody started', async () => {
    const response = await api.get('/api/operations/0b9d4c1e-8d5f-4a53-9a4e-8e1f6f0b7c11')
    expect(response.status).toBe(404)
  })
})
