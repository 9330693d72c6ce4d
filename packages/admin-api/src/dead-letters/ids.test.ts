import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WarrenApp } from '../app.js'
import { BROKER } from '@warren/test-kit'
import { brokerTestApp } from '../test-support/brokers.js'
import { json, operator } from '../test-support/core.js'
import type { BrowseResult, DeleteResult } from './schemas.js'

describe(`dead-letter ids on ${BROKER.label}`, () => {
  const broker = BROKER
  let vhost: Awaited<ReturnType<typeof brokerTestApp>>
  let warren: WarrenApp
  const path = () => `/api/dead-letters/${vhost.encoded}/twins.dlq`
  const browse = async () => {
    const response = await warren.app.request(`${path()}/messages`, { headers: operator })
    expect(response.status).toBe(200)
    return (await response.json()) as BrowseResult
  }

  beforeAll(async () => {
    vhost = await brokerTestApp(broker, 'warren-ids')
    await vhost.channel(async (ch) => {
      await ch.assertQueue('twins.dlq', { durable: true, arguments: { 'x-queue-type': 'quorum' } })
      // Two byte-identical dead letters without a messageId, a third that differs, and a Celery
      // task whose id lives in its `id` header.
      for (const body of ['{"charge":1}', '{"charge":1}', '{"charge":2}']) {
        ch.sendToQueue('twins.dlq', Buffer.from(body), { contentType: 'application/json' })
      }
      ch.sendToQueue('twins.dlq', Buffer.from('[[1],{},{}]'), {
        headers: { id: 'c0ffee00-task', task: 'billing.charge', retries: 2 },
      })
      await ch.waitForConfirms()
    })
    warren = vhost.start()
  })

  afterAll(() => vhost?.remove())

  it('gives twins ids of their own, the same on every browse', async () => {
    const first = await browse()
    const second = await browse()
    const ids = first.items.map((item) => item.id)
    expect(new Set(ids).size).toBe(4)
    expect(ids[1]).toBe(`${ids[0]}~2`)
    expect(ids[3]).toBe('c0ffee00-task')
    expect(second.items.map((item) => item.id)).toEqual(ids)
  })

  it('deletes exactly one twin by its id', async () => {
    const before = (await browse()).items.map((item) => item.id)
    const response = await warren.app.request(`${path()}/delete`, {
      method: 'POST',
      headers: { ...operator, ...json },
      body: JSON.stringify({ ids: [before[1]] }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject<Partial<DeleteResult>>({ deleted: 1, notFound: [] })
    const after = await browse()
    expect(after.total).toBe(3)
    expect(after.items.map((item) => item.id)).toEqual([before[0], before[2], before[3]])
  })
})
