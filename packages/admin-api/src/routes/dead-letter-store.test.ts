import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  BulkDryRun,
  BulkOperationView,
  ExportLine,
  NoteList,
  NoteView,
  RetryResult,
} from '../operations/bulk-schemas.js'
import type { DeadLetterStore } from '../store/types.js'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import { dlqPath } from '../test-support/dead-letter-app.js'
import { openTestStore } from '../test-support/sqlite-store.js'
import { createStoreApp } from '../test-support/store-app.js'
import { deadLettersOf, newDeadLetter } from '../test-support/stored-rows.js'

let broker: AmqpVhost
let store: DeadLetterStore
let api: ReturnType<typeof createStoreApp>
let sqlite: Awaited<ReturnType<typeof openTestStore>>

beforeAll(async () => {
  broker = await createAmqpVhost('warren-store-routes')
  sqlite = await openTestStore()
  store = sqlite.store
  api = createStoreApp(broker.name, store)
})

afterAll(async () => {
  try {
    await api?.close()
    await sqlite?.drop()
  } finally {
    await broker?.dispose()
  }
})

async function arrange(name: string, count: number) {
  await broker.queue(name)
  await broker.queue(`${name}.dlq`)
  await store.insert(deadLettersOf(broker.name, `${name}.dlq`, name, count, name))
  const rows = await store.page(broker.name, `${name}.dlq`, {}, count, 0)
  return { work: name, dlq: `${name}.dlq`, ids: rows.map((row) => String(row.seq)) }
}

async function until(id: string, done: (view: BulkOperationView) => boolean) {
  for (let i = 0; i < 400; i += 1) {
    const { body } = await api.get<BulkOperationView>(`/api/bulk-operations/${id}`)
    if (done(body)) return body
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`operation ${id} never got there`)
}

describe('bulk operation routes', () => {
  it('answers a dry run with the counts, then starts with 202, reports progress and refuses a second with 409', async () => {
    const { work, dlq } = await arrange('ops', 60)
    const path = `${dlqPath(broker.name, dlq)}/operations`
    const selection = { filter: { reason: 'max-attempts' } }

    const dry = await api.post<BulkDryRun>(path, { action: 'requeue', selection, dryRun: true })
    expect(dry).toMatchObject({ status: 200, body: { matched: 60, targets: { ops: 60 } } })

    const started = await api.post<BulkOperationView>(path, {
      action: 'requeue',
      selection,
      rate: 100,
    })
    expect(started.status).toBe(202)
    expect(started.body).toMatchObject({
      action: 'requeue',
      status: 'running',
      total: 60,
      actor: 'test',
    })
    const again = await api.post(path, { action: 'delete', selection })
    expect(again.status).toBe(409)
    expect(again.body).toMatchObject({ type: 'urn:warren:problem:operation-in-progress' })

    const patched = await api.patch<BulkOperationView>(`/api/bulk-operations/${started.body.id}`, {
      rate: 1000,
    })
    expect(patched.body.rate).toBe(1000)
    const view = await until(started.body.id, (v) => v.status === 'succeeded')
    expect(view).toMatchObject({ done: 60, failed: 0, etaSeconds: null })
    expect(Date.parse(view.finishedAt ?? '')).not.toBeNaN()
    expect(await broker.count(work)).toBe(60)
    const list = await api.get<{ items: BulkOperationView[] }>(path)
    expect(list.body.items.map((item) => item.id)).toEqual([started.body.id])
    expect(
      api.audit.filter((entry) => entry.action === 'requeue').map((entry) => entry.detail),
    ).toEqual([
      `bulk requeue ${started.body.id} started at 100/s`,
      `bulk requeue ${started.body.id} succeeded`,
    ])
  })

  it('refuses a move without a target and an unknown operation', async () => {
    const { dlq } = await arrange('refuse', 1)
    const path = `${dlqPath(broker.name, dlq)}/operations`
    const move = await api.post(path, { action: 'move', selection: { ids: ['1'] } })
    expect(move.status).toBe(400)
    const unknown = await api.get('/api/bulk-operations/0b6a3c62-4a1e-4c57-9f0e-0c8d2b6f9a11')
    expect(unknown.status).toBe(404)
  })
})

describe('edit and retry', () => {
  it('sends the edited JSON to the original queue with warren-edited-from and archives the original', async () => {
    const { work, dlq, ids } = await arrange('retry', 3)
    const id = ids[1] ?? ''
    const response = await api.post<RetryResult>(
      `${dlqPath(broker.name, dlq)}/messages/${id}/retry`,
      {
        payload: '{"i":1,"fixed":true}',
        headers: { 'x-fixed-by': 'ops', 'warren-error-message': null },
      },
    )

    expect(response).toMatchObject({ status: 200, body: { id, target: work, archived: true } })
    const [copy, ...rest] = await broker.drain(work)
    expect(rest).toEqual([])
    expect(JSON.parse(copy?.body ?? '')).toEqual({ i: 1, fixed: true })
    expect(copy?.headers).toMatchObject({
      'warren-edited-from': id,
      'x-fixed-by': 'ops',
      'warren-attempt': 0,
    })
    expect(copy?.headers).not.toHaveProperty('warren-error-message')
    const [original] = await store.get(broker.name, dlq, [Number(id)])
    expect(original?.state).toBe('retried')
    expect(api.audit.at(-1)).toMatchObject({ action: 'retry', outcome: 'success' })
  })

  it('refuses a JSON message whose edited payload is not JSON with 400 invalid-json, sending nothing', async () => {
    const { work, dlq, ids } = await arrange('badjson', 1)
    const response = await api.post(`${dlqPath(broker.name, dlq)}/messages/${ids[0]}/retry`, {
      payload: '{"i": 1,',
    })
    expect(response.status).toBe(400)
    expect(response.body).toMatchObject({ type: 'urn:warren:problem:invalid-json' })
    expect(String(response.body['detail'])).toMatch(/JSON/)
    expect(await broker.count(work)).toBe(0)
    expect(await store.count(broker.name, dlq)).toBe(1)
  })

  it('answers 404 for an unknown id and 409 for a target queue that does not exist, keeping the original', async () => {
    const { dlq, ids } = await arrange('retrymiss', 1)
    const base = `${dlqPath(broker.name, dlq)}/messages`
    expect((await api.post(`${base}/999999/retry`, { payload: '{}' })).status).toBe(404)
    const response = await api.post(`${base}/${ids[0]}/retry`, {
      payload: '{}',
      target: 'retrymiss.none',
    })
    expect(response.status).toBe(409)
    expect(response.body).toMatchObject({ detail: "no queue 'retrymiss.none' to route to" })
    expect(await store.count(broker.name, dlq)).toBe(1)
  })
})

describe('notes and export', () => {
  it('keeps notes on a message and on a group, by their author', async () => {
    const { dlq, ids } = await arrange('notes', 2)
    const path = `${dlqPath(broker.name, dlq)}/notes`
    const onMessage = await api.post<NoteView>(path, {
      target: { id: ids[0] },
      text: 'customer 42, see ticket',
    })
    expect(onMessage).toMatchObject({
      status: 201,
      body: { target: { id: ids[0] }, author: 'test' },
    })
    await api.post(path, { target: { group: 'group-a' }, text: 'fixed in 1.4.2' })
    const { body } = await api.get<NoteList>(path)
    expect(body.items.map((note) => [note.target, note.text])).toEqual([
      [{ id: ids[0] }, 'customer 42, see ticket'],
      [{ group: 'group-a' }, 'fixed in 1.4.2'],
    ])
    expect((await api.post(path, { target: { group: 'g' }, text: '' })).status).toBe(400)
  })

  it('exports 1,000 held messages as NDJSON, one parseable line each', async () => {
    const vhost = broker.name
    const batch = Array.from({ length: 1000 }, (_, i) =>
      newDeadLetter({
        vhost,
        queue: 'export.dlq',
        body: { i },
        headers: { 'warren-original-queue': 'export', n: i },
      }),
    )
    await store.insert(batch)
    const response = await api.get(`${dlqPath(vhost, 'export.dlq')}/export?originalQueue=export`)

    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/)
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename=".*\.ndjson"$/)
    const lines = response.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportLine)
    expect(lines).toHaveLength(1000)
    expect(lines.map((line) => JSON.parse(Buffer.from(line.body, 'base64').toString()).i)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    )
    expect(lines[7]).toMatchObject({
      headers: { n: 7 },
      view: { payload: { i: 7 }, originalQueue: 'export' },
    })
    expect(lines[7]?.view.id).toBe(lines[7]?.id)

    const chosen = `${lines[3]?.id},${lines[500]?.id}`
    const some = await api.get(`${dlqPath(vhost, 'export.dlq')}/export?ids=${chosen}`)
    expect(
      some.text
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as ExportLine).id),
    ).toEqual(chosen.split(','))
  })
})
