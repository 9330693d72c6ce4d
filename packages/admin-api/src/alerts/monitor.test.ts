import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type WarrenApp } from '../app.js'
import {
  createVhost,
  eventually,
  operator,
  tempDir,
  testConfig,
  withChannel,
} from '../test-support/core.js'
import type { Alert } from './types.js'

type Event = { event: 'alert.started' | 'alert.ended'; alert: Alert }

describe('alert monitor (real broker, local webhook)', () => {
  let vhost: Awaited<ReturnType<typeof createVhost>>
  let dir: Awaited<ReturnType<typeof tempDir>>
  let server: Server
  let warren: WarrenApp
  const events: Event[] = []

  beforeAll(async () => {
    vhost = await createVhost('core-alerts')
    dir = await tempDir()
    server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        events.push(JSON.parse(body) as Event)
        response.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    warren = createApp(
      testConfig(dir.path, {
        WARREN_ALERT_BACKLOG: '2',
        WARREN_ALERT_WEBHOOK: `http://127.0.0.1:${port}/hook`,
      }),
    )
  })

  afterAll(async () => {
    try {
      await warren?.close()
      await new Promise((resolve) => server?.close(resolve))
    } finally {
      await vhost?.remove()
      await dir?.remove()
    }
  })

  const mine = (rule: string, queue = 'reports') =>
    events.filter(
      (e) => e.alert.vhost === vhost.name && e.alert.rule === rule && e.alert.queue === queue,
    )

  it('calls the webhook when a backlog alert starts and again when it ends', async () => {
    await withChannel(vhost.url, async (ch) => {
      await ch.assertQueue('reports', { durable: true })
      for (let i = 0; i < 3; i++) ch.sendToQueue('reports', Buffer.from(`report ${i}`))
      await ch.checkQueue('reports')
    })

    const started = await eventually(async () => {
      const response = await warren.app.request(`/api/alerts?vhost=${vhost.encoded}`, {
        headers: operator,
      })
      const body = (await response.json()) as { items: Alert[] }
      return body.items.find((a) => a.rule === 'backlog')
    })
    expect(started).toMatchObject({ vhost: vhost.name, queue: 'reports', value: 3, threshold: 2 })
    expect(Date.parse(started.since)).toBeGreaterThan(Date.now() - 60_000)
    await eventually(async () => (mine('backlog').length >= 1 ? true : undefined))
    expect(mine('backlog')[0]).toMatchObject({
      event: 'alert.started',
      alert: { queue: 'reports', value: 3, threshold: 2 },
    })
    expect(mine('no-consumers')[0]).toMatchObject({ event: 'alert.started' })

    await withChannel(vhost.url, async (ch) => {
      await ch.purgeQueue('reports')
    })
    await eventually(async () => {
      const active = await warren.alerts.evaluate()
      return active.some((a) => a.vhost === vhost.name) ? undefined : true
    })
    await eventually(async () => (mine('backlog').length >= 2 ? true : undefined))
    expect(mine('backlog').map((e) => e.event)).toEqual(['alert.started', 'alert.ended'])
    expect(mine('no-consumers').map((e) => e.event)).toEqual(['alert.started', 'alert.ended'])
  })

  it('raises the dead-letter ratio and growth of a DLQ from the broker counters over the window', async () => {
    await withChannel(vhost.url, async (ch) => {
      await ch.assertQueue('jobs', {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'jobs.dlq' },
      })
      await ch.assertQueue('jobs.dlq', { durable: true })
    })
    // The baseline: both queues known, no traffic yet.
    await warren.alerts.evaluate()
    await withChannel(vhost.url, async (ch) => {
      for (let i = 0; i < 10; i++) ch.sendToQueue('jobs', Buffer.from(`job ${i}`))
      let acked = 0
      await new Promise<void>((resolve) => {
        void ch.consume('jobs', (message) => {
          if (!message) return
          ch.ack(message)
          if (++acked === 10) resolve()
        })
      })
      ch.sendToQueue('jobs.dlq', Buffer.from('failed 1'))
      ch.sendToQueue('jobs.dlq', Buffer.from('failed 2'))
      await ch.checkQueue('jobs.dlq')
    })
    const alerts = await eventually(async () => {
      const active = (await warren.alerts.evaluate()).filter(
        (a) => a.vhost === vhost.name && a.queue === 'jobs.dlq',
      )
      return active.some((a) => a.rule === 'dead-letter-ratio') &&
        active.some((a) => a.rule === 'dead-letter-growth')
        ? active
        : undefined
    })
    expect(alerts.find((a) => a.rule === 'dead-letter-ratio')).toMatchObject({
      value: 0.2,
      threshold: 0.01,
    })
    expect(alerts.find((a) => a.rule === 'dead-letter-growth')).toMatchObject({ value: 2 })
  })
})
