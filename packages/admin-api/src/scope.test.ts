import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER, createTestVhost, management, type TestVhost } from '@warren/test-kit'
import { createApp, type WarrenApp } from './app.js'
import { createDeadLetterModule } from './dead-letters/module.js'
import { managementQueueFacts } from './discovery/index.js'
import { eventually, json, operator, spyFetch, tempDir, testConfig } from './test-support/core.js'

// Two vhosts of this file: `watched` is the API's scope (WARREN_VHOSTS), `other` stands for
// everything else on the broker, with a dead letter that nothing may list, count or peek at.
describe('WARREN_VHOSTS', () => {
  let watched: TestVhost
  let other: TestVhost
  let dir: Awaited<ReturnType<typeof tempDir>>
  let warren: WarrenApp
  const spy = spyFetch()
  const request = (path: string, init: RequestInit = {}) =>
    warren.app.request(path, { ...init, headers: { ...operator, ...json } })

  /** A work queue with one job nobody consumes (so it alerts), and its DLQ with one dead letter. */
  async function dlqWithOneMessage(vhost: TestVhost, queue: string) {
    await vhost.withChannel(async (ch) => {
      await ch.assertQueue(queue, {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': `${queue}.dlq` },
      })
      await ch.assertQueue(`${queue}.dlq`, { durable: true })
      ch.sendToQueue(`${queue}.dlq`, Buffer.from('{}'), {
        persistent: true,
        headers: { 'warren-last-failed-at': new Date(Date.now() - 60_000).toISOString() },
      })
      ch.sendToQueue(queue, Buffer.from('{}'), { persistent: true })
      await ch.checkQueue(`${queue}.dlq`)
    })
  }

  beforeAll(async () => {
    watched = await createTestVhost('core-scope-watched')
    other = await createTestVhost('core-scope-other')
    dir = await tempDir()
    await dlqWithOneMessage(watched, 'orders')
    await dlqWithOneMessage(other, 'payments')
    warren = createApp(
      testConfig(dir.path, { WARREN_VHOSTS: watched.name, WARREN_ALERT_BACKLOG: '0' }),
      { fetch: spy.fetch },
    )
  })

  afterAll(async () => {
    try {
      await warren?.close()
    } finally {
      await Promise.all([watched?.remove(), other?.remove()])
      await dir?.remove()
    }
  })

  it('lists, counts and alerts on the watched vhost only, asking the management API for nothing else', async () => {
    spy.paths.length = 0
    const overview = await eventually(async () => {
      const body = (await (await request('/api/overview')).json()) as {
        totals: { messages: number; queues: number }
        deadLetters: number
      }
      return body.totals.messages === 2 ? body : undefined
    })
    const deadLetters = (await (await request('/api/dead-letters')).json()) as {
      items: { vhost: string; name: string; oldestAgeMs: number | null }[]
    }
    const queues = (await (await request('/api/queues')).json()) as {
      items: { vhost: string }[]
    }
    const alerts = (await (await request('/api/alerts')).json()) as {
      items: { vhost: string; rule: string; queue: string }[]
    }

    expect(overview).toMatchObject({ totals: { messages: 2, queues: 2 }, deadLetters: 1 })
    expect(deadLetters.items.map((q) => `${q.vhost}/${q.name}`)).toEqual([
      `${watched.name}/orders.dlq`,
    ])
    // Nobody has browsed it, and nothing is read to learn an age.
    expect(deadLetters.items[0]?.oldestAgeMs).toBeNull()
    expect(new Set(queues.items.map((q) => q.vhost))).toEqual(new Set([watched.name]))
    expect(alerts.items.map((a) => `${a.rule} ${a.queue}`)).toEqual(
      expect.arrayContaining(['backlog orders', 'no-consumers orders']),
    )
    expect(new Set(alerts.items.map((a) => a.vhost))).toEqual(new Set([watched.name]))
    const listings = spy.paths.filter((path) =>
      /^\/api\/(queues|bindings|exchanges|policies)(\/detailed)?(\/|\?|$)/.test(path),
    )
    expect(listings.length).toBeGreaterThan(0)
    for (const path of listings) expect(path).toContain(`/${watched.encoded}`)
  })

  it('answers 404 to the queue and dead-letter routes of a vhost outside the scope', async () => {
    const dlq = `/api/dead-letters/${other.encoded}/payments.dlq`
    const answers = await Promise.all([
      request(`/api/queues/${other.encoded}/payments.dlq`),
      request(`${dlq}/messages`),
      request(`${dlq}/requeue`, { method: 'POST', body: JSON.stringify({ all: true }) }),
      request(`${dlq}/delete`, { method: 'POST', body: JSON.stringify({ ids: ['x'] }) }),
      request(`${dlq}/purge`, {
        method: 'POST',
        body: JSON.stringify({ confirm: 'payments.dlq' }),
      }),
      request(`/api/archive?vhost=${other.encoded}`),
      request('/api/archive/restore', {
        method: 'POST',
        body: JSON.stringify({ ids: [`${other.encoded}:0`] }),
      }),
    ])

    for (const answer of answers) {
      expect(answer.status).toBe(404)
      expect(await answer.json()).toMatchObject({ type: 'urn:warren:problem:not-found' })
    }
    const unscoped = (await (await request(`/api/queues?vhost=${other.encoded}`)).json()) as {
      total: number
    }
    expect(unscoped.total).toBe(0)
    // Nothing was taken from the other vhost, and no archive stream was declared there.
    const count = await other.withChannel(async (ch) => ch.checkQueue('payments.dlq'))
    expect(count.messageCount).toBe(1)
    await expect(management('GET', `/api/queues/${other.encoded}/warren.archive`)).rejects.toThrow(
      /: 404 /,
    )
  })

  it('gives no head time for a queue outside the scope, nor one it has not browsed', async () => {
    const module = createDeadLetterModule({
      amqpUrls: [BROKER.amqp],
      audit: { record: async () => {} },
      archiveMaxAge: '1D',
      vhosts: [watched.name],
      queueFacts: managementQueueFacts({
        url: BROKER.management,
        user: BROKER.user,
        password: BROKER.password,
      }),
    })
    try {
      expect(await module.deadLetteredAt(other.name, 'payments.dlq')).toBeNull()
      expect(await module.deadLetteredAt(watched.name, 'orders.dlq')).toBeNull()
      const browsed = await module.routes.request(
        `/dead-letters/${watched.encoded}/orders.dlq/messages`,
      )
      expect(browsed.status).toBe(200)
      expect(await module.deadLetteredAt(watched.name, 'orders.dlq')).toBeLessThanOrEqual(
        Date.now() - 60_000,
      )
    } finally {
      await module.close()
    }
  })

  it('takes a pattern: lists what matches, and the store drains only those dead-letter queues', async () => {
    // `core-scope-watched-<id>` matches, `core-scope-other-<id>` does not.
    spy.paths.length = 0
    const patterned = createApp(
      testConfig(dir.path, {
        WARREN_VHOSTS: 'core-scope-watched-*',
        WARREN_DEAD_LETTER_STORE: `sqlite:${join(dir.path, 'pattern.sqlite')}`,
      }),
      { fetch: spy.fetch },
    )
    try {
      const ask = async <T>(path: string) =>
        (await (await patterned.app.request(path, { headers: operator })).json()) as T
      const listed = await eventually(async () => {
        const body = await ask<{ items: { vhost: string; name: string; stored: number }[] }>(
          '/api/dead-letters',
        )
        const mine = body.items.filter((q) => q.vhost === watched.name)
        return mine.length === 1 && mine[0]?.stored === 1 ? body : undefined
      })
      expect(new Set(listed.items.map((q) => q.vhost)).has(other.name)).toBe(false)
      const queues = await ask<{ items: { vhost: string }[] }>(`/api/queues?vhost=${other.encoded}`)
      expect(queues.items).toEqual([])
      const outside = await patterned.app.request(
        `/api/dead-letters/${other.encoded}/payments.dlq/messages`,
        { headers: operator },
      )
      expect(outside.status).toBe(404)
      // The watched DLQ is in the store now; the other vhost's dead letter never moved.
      expect((await watched.withChannel((ch) => ch.checkQueue('orders.dlq'))).messageCount).toBe(0)
      expect((await other.withChannel((ch) => ch.checkQueue('payments.dlq'))).messageCount).toBe(1)
      // The vhosts' names were asked for, then only the watched one's objects.
      expect(spy.paths).toContain('/api/vhosts?columns=name')
      const listings = spy.paths.filter((path) =>
        /^\/api\/(queues|bindings|exchanges|policies)(\/detailed)?(\/|\?|$)/.test(path),
      )
      expect(listings.length).toBeGreaterThan(0)
      for (const path of listings) expect(path).toContain(`/${watched.encoded}`)
    } finally {
      await patterned.close()
    }
  })
})
