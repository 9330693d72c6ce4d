import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type WarrenApp } from '../app.js'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import { eventually, operator, tempDir, testConfig } from '../test-support/core.js'

// The whole admin API with the store on, as `pnpm start` runs it: it takes custody of the vhost's
// dead-letter queues, and every count and alert counts what the store holds.

let vhost: AmqpVhost
let dir: Awaited<ReturnType<typeof tempDir>>
let warren: WarrenApp
const DLQ = 'custody.orders.dlq'
const LIVE = 'custody.legacy.dlq'
const HOUR_AGO = Date.now() - 3_600_000

const get = async <T>(path: string) => {
  const response = await warren.app.request(path, { headers: operator })
  expect(response.status).toBe(200)
  return (await response.json()) as T
}

interface ListItem {
  name: string
  messages: number
  stored: number | null
  inBroker: number
  oldestAgeMs: number | null
}

beforeAll(async () => {
  vhost = await createAmqpVhost('core-custody')
  dir = await tempDir()
  for (const queue of [DLQ, LIVE]) {
    await vhost.queue(queue)
    await vhost.publish(
      queue,
      Array.from({ length: 40 }, (_, i) => ({
        body: { order: i },
        options: {
          messageId: `${queue}-${i}`,
          headers: {
            'warren-error-name': 'TimeoutError',
            'warren-error-message': `order ${i} timed out`,
            'warren-last-failed-at': new Date(HOUR_AGO).toISOString(),
          },
        },
      })),
    )
  }
  warren = createApp(
    testConfig(dir.path, {
      WARREN_VHOSTS: vhost.name,
      WARREN_DEAD_LETTER_STORE: `sqlite:${join(dir.path, 'store.sqlite')}`,
      WARREN_LIVE_DEAD_LETTERS: `${vhost.encoded}/${LIVE}`,
      WARREN_ALERT_DEAD_LETTER_AGE: '30m',
      WARREN_ALERT_BACKLOG: '1000000',
    }),
  )
})

afterAll(async () => {
  await warren?.close()
  await vhost?.dispose()
  await dir?.remove()
})

describe('the admin API with the dead-letter store', () => {
  it('drains the DLQs in its care and counts them as the store holds them; a live one stays', async () => {
    const items = await eventually(async () => {
      const body = await get<{ items: ListItem[] }>(`/api/dead-letters?vhost=${vhost.encoded}`)
      const kept = body.items.find((q) => q.name === DLQ)
      // The management API's counts lag the queues by its statistics interval.
      const live = body.items.find((q) => q.name === LIVE)
      return kept?.stored === 40 && kept.inBroker === 0 && live?.messages === 40
        ? body.items
        : undefined
    })
    expect(items.find((q) => q.name === DLQ)).toMatchObject({
      messages: 40,
      stored: 40,
      inBroker: 0,
    })
    expect(items.find((q) => q.name === LIVE)).toMatchObject({
      messages: 40,
      stored: null,
      inBroker: 40,
    })
    const oldest = items.find((q) => q.name === DLQ)!.oldestAgeMs!
    expect(oldest).toBeGreaterThanOrEqual(3_600_000)
    expect(oldest).toBeLessThan(3_700_000)
    // Nothing was taken from the live queue.
    expect(await vhost.count(LIVE)).toBe(40)
  })

  it('raises the old-dead-letter alert from the store', async () => {
    const alerts = await warren.alerts.evaluate()
    const age = alerts.find((a) => a.rule === 'dead-letter-age' && a.queue === DLQ)
    expect(age?.value).toBeGreaterThanOrEqual(3_600_000)
  })

  it('browses the kept queue from the store and the live one in RabbitMQ', async () => {
    const path = (queue: string) =>
      `/api/dead-letters/${vhost.encoded}/${encodeURIComponent(queue)}/messages?limit=1`
    const kept = await get<{ total: number; reading: { mode: string } }>(path(DLQ))
    expect(kept).toMatchObject({ total: 40, reading: { mode: 'store' } })
    const live = await get<{ total: number; reading: { mode: string } }>(path(LIVE))
    expect(live).toMatchObject({ total: 40, reading: { mode: 'give-back' } })
  })

  it('answers the store routes of a live queue with 409 and the reason', async () => {
    const response = await warren.app.request(
      `/api/dead-letters/${vhost.encoded}/${encodeURIComponent(LIVE)}/notes`,
      { headers: operator },
    )
    expect(response.status).toBe(409)
    expect(((await response.json()) as { type: string }).type).toBe('urn:warren:problem:read-live')
  })
})
