// The specification "looking never costs a dead letter", run on each broker by a test file of
// its own (so that the brokers' watches run side by side): quorum dead-letter queues under a
// delivery limit, one declared by another application with plain amqplib and one by the SDK,
// browsed 25 times, requeued as a dry run, and watched by the admin API for 15 s (15 rounds of its
// alert monitor and of the console's polling): more readings than the delivery limit allows (5 by
// the policy on 3.x, 20 by default on 4.x), were any of them to count.
import { connect as connectSdk, defineTopology, NonRetryableError } from '@warren/sdk'
import type { ConfirmChannel } from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WarrenApp } from '../app.js'
import type { BrowseResult } from '../dead-letters/schemas.js'
import { brokerVersion, management, type TestBroker } from '@warren/test-kit'
import { brokerTestApp } from './brokers.js'
import { operator, viewer } from './core.js'
import { countsEveryReturn } from './versions.js'

export interface LimitCase {
  broker: TestBroker
  /** Whether the case is for a broker that counts every return (before 4.3) or not (4.3 on). */
  countsEveryReturn: boolean
  /** A policy that gives every queue of the vhost a delivery limit, or none (4.x: 20). */
  policyLimit?: number
  /** How Warren should read the third-party DLQ and the SDK's, and the limit it reports. */
  expected: Record<
    'thirdParty' | 'sdk',
    { deliveryLimit: number | null; mode: 'reseat' | 'give-back' }
  >
}

const THIRD_PARTY = 'refund.poison'
const SDK_DLQ = 'sdk.orders.dlq'

/** Dead-letters `n` messages from `refund` into `refund.poison` the way the broker does. */
async function seedThirdParty(ch: ConfirmChannel, n: number) {
  await ch.assertQueue(THIRD_PARTY, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  await ch.assertQueue('refund', {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': THIRD_PARTY,
    },
  })
  for (let i = 0; i < n; i++) {
    ch.sendToQueue('refund', Buffer.from(JSON.stringify({ refund: i })), {
      messageId: `refund-${i}`,
      contentType: 'application/json',
      persistent: true,
    })
  }
  await ch.waitForConfirms()
  for (let i = 0; i < n; i++) {
    const message = await ch.get('refund')
    if (message === false) throw new Error('seed message missing')
    ch.nack(message, false, false)
  }
  // Dead-lettering is asynchronous: a connection closed at once could hand the last one back.
  const deadline = Date.now() + 10_000
  while ((await ch.checkQueue(THIRD_PARTY)).messageCount < n && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export function describeLookingCostsNothing(spec: LimitCase) {
  describe(`looking at quorum DLQs under a delivery limit on ${spec.broker.label}`, () => {
    let vhost: Awaited<ReturnType<typeof brokerTestApp>>
    let warren: WarrenApp
    const get = async <T>(path: string, as = operator) => {
      const response = await warren.app.request(path, { headers: as })
      return { status: response.status, body: (await response.json()) as T }
    }
    const depth = (queue: string) =>
      vhost.channel(async (ch) => (await ch.checkQueue(queue)).messageCount)
    const page = (queue: string) =>
      get<BrowseResult>(`/api/dead-letters/${vhost.encoded}/${queue}/messages?limit=10`)

    beforeAll(async () => {
      vhost = await brokerTestApp(spec.broker, 'warren-limits', {
        WARREN_ALERT_INTERVAL: '1s',
        WARREN_ALERT_DEAD_LETTER_AGE: '1s',
      })
      if (spec.policyLimit !== undefined) {
        await management(
          'PUT',
          `/api/policies/${vhost.encoded}/delivery-limit`,
          {
            pattern: '.*',
            'apply-to': 'queues',
            definition: { 'delivery-limit': spec.policyLimit },
          },
          spec.broker,
        )
      }
      await vhost.channel((ch) => seedThirdParty(ch, 3))
      const topology = defineTopology({
        exchanges: { shop: { type: 'topic' } },
        queues: { 'sdk.orders': { bindings: [{ exchange: 'shop', routingKey: 'order.placed' }] } },
      })
      const sdk = await connectSdk({ url: vhost.url, topology, service: 'limits-test' })
      try {
        await sdk.consume('sdk.orders', async () => {
          throw new NonRetryableError('card declined')
        })
        for (let i = 0; i < 3; i++) await sdk.publish('shop', 'order.placed', { order: i })
        const deadline = Date.now() + 20_000
        while ((await depth(SDK_DLQ)) < 3 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      } finally {
        await sdk.close()
      }
      warren = vhost.start()
    })

    afterAll(async () => {
      await vhost?.remove()
    })

    it('the broker is the one this case is for', async () => {
      const version = await brokerVersion(spec.broker)
      expect(countsEveryReturn(version)).toBe(spec.countsEveryReturn)
    })

    it.each([
      [THIRD_PARTY, 'thirdParty'],
      [SDK_DLQ, 'sdk'],
    ] as const)(
      '%s: 25 browses, a dry-run requeue and 15 s of the admin API leave every dead letter listed',
      async (queue, which) => {
        const expected = spec.expected[which]
        const first = await page(queue)
        expect(first.status).toBe(200)
        expect(first.body.total).toBe(3)
        expect(first.body.reading).toMatchObject(expected)
        const ids = first.body.items.map((item) => item.id)
        expect(new Set(ids).size).toBe(3)

        for (let i = 0; i < 24; i++) {
          const again = await page(queue)
          expect(again.status).toBe(200)
          expect(again.body.items.map((item) => item.id)).toEqual(ids)
        }
        const dryRun = await warren.app.request(
          `/api/dead-letters/${vhost.encoded}/${queue}/requeue`,
          {
            method: 'POST',
            headers: { ...operator, 'content-type': 'application/json' },
            body: JSON.stringify({ all: true, dryRun: true }),
          },
        )
        expect(dryRun.status).toBe(200)
        expect(await dryRun.json()).toMatchObject({ requeued: 0, wouldRequeue: 3 })

        // What the console and the alert monitor (every second) do in the background.
        const until = Date.now() + (queue === THIRD_PARTY ? 15_000 : 5_000)
        while (Date.now() < until) {
          const list = await get<{ items: { name: string; messages: number }[] }>(
            `/api/dead-letters?vhost=${vhost.encoded}`,
          )
          expect(list.status).toBe(200)
          await get(`/api/alerts?vhost=${vhost.encoded}`)
          await new Promise((resolve) => setTimeout(resolve, 1000))
        }

        expect(await depth(queue)).toBe(3)
        const last = await page(queue)
        expect(last.body.total).toBe(3)
        expect(last.body.items.map((item) => item.id)).toEqual(ids)
        // Never moved towards the limit: no message shows a delivery count near it.
        for (const item of last.body.items) {
          const count = Number(item.headers['x-delivery-count'] ?? 0)
          expect(count).toBeLessThan(5)
        }
      },
      120_000,
    )

    it('a reader that hands messages back by closing its channel does lose them here', async () => {
      // The control: the hazard is real on this broker, so the test above could fail.
      await vhost.channel(async (ch) => {
        await ch.assertQueue('control.dlq', {
          durable: true,
          arguments: { 'x-queue-type': 'quorum' },
        })
        ch.sendToQueue('control.dlq', Buffer.from('x'), { persistent: true })
        await ch.waitForConfirms()
      })
      for (let i = 0; i <= (spec.expected.thirdParty.deliveryLimit ?? 0); i++) {
        await vhost.channel(async (ch) => {
          await ch.get('control.dlq')
        })
      }
      const deadline = Date.now() + 5000
      while ((await depth('control.dlq')) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(await depth('control.dlq')).toBe(0)
    })

    it('browse and operations refuse a work queue and leave its messages alone', async () => {
      await vhost.channel(async (ch) => {
        ch.sendToQueue('refund', Buffer.from('{"refund":"pending"}'), { persistent: true })
        await ch.waitForConfirms()
      })
      const browse = await get<{ type: string; detail: string }>(
        `/api/dead-letters/${vhost.encoded}/refund/messages`,
        viewer,
      )
      expect(browse.status).toBe(409)
      expect(browse.body.type).toBe('urn:warren:problem:not-a-dead-letter-queue')
      const requeue = await warren.app.request(
        `/api/dead-letters/${vhost.encoded}/refund/requeue`,
        {
          method: 'POST',
          headers: { ...operator, 'content-type': 'application/json' },
          body: JSON.stringify({ all: true }),
        },
      )
      expect(requeue.status).toBe(409)
      expect(await depth('refund')).toBe(1)
      expect(await depth(THIRD_PARTY)).toBe(3)
    })

    it('a viewer can read the dead letters but change nothing', async () => {
      const read = await get<BrowseResult>(
        `/api/dead-letters/${vhost.encoded}/${THIRD_PARTY}/messages`,
        viewer,
      )
      expect(read.status).toBe(200)
      const purge = await warren.app.request(
        `/api/dead-letters/${vhost.encoded}/${THIRD_PARTY}/purge`,
        {
          method: 'POST',
          headers: { ...viewer, 'content-type': 'application/json' },
          body: JSON.stringify({ confirm: THIRD_PARTY }),
        },
      )
      expect(purge.status).toBe(403)
      expect(await depth(THIRD_PARTY)).toBe(3)
    })
  })
}
