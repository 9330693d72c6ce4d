import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestVhost } from '@warren/test-kit'
import { createApp, type WarrenApp } from '../app.js'
import { eventually, operator, tempDir, testConfig } from '../test-support/core.js'
import { createDiscovery } from '../discovery/index.js'
import { createAlertMonitor } from './monitor.js'
import type { Alert } from './types.js'

type Event = { event: 'alert.started' | 'alert.ended'; alert: Alert }

const WINDOW = 120_000

describe('alert monitor (real broker, local webhook)', () => {
  let vhost: Awaited<ReturnType<typeof createTestVhost>>
  let dir: Awaited<ReturnType<typeof tempDir>>
  let server: Server
  let warren: WarrenApp
  const events: Event[] = []

  beforeAll(async () => {
    vhost = await createTestVhost('core-alerts')
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
        WARREN_VHOSTS: vhost.name,
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
    await vhost.withChannel(async (ch) => {
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
    // Webhook calls travel concurrently: wait for both before looking at them.
    await eventually(async () =>
      mine('backlog').length >= 1 && mine('no-consumers').length >= 1 ? true : undefined,
    )
    expect(mine('backlog')[0]).toMatchObject({
      event: 'alert.started',
      alert: { queue: 'reports', value: 3, threshold: 2 },
    })
    expect(mine('no-consumers')[0]).toMatchObject({ event: 'alert.started' })

    await vhost.withChannel(async (ch) => {
      await ch.purgeQueue('reports')
    })
    await eventually(async () => {
      const active = await warren.alerts.evaluate()
      return active.some((a) => a.vhost === vhost.name) ? undefined : true
    })
    await eventually(async () =>
      mine('backlog').length >= 2 && mine('no-consumers').length >= 2 ? true : undefined,
    )
    expect(mine('backlog').map((e) => e.event)).toEqual(['alert.started', 'alert.ended'])
    expect(mine('no-consumers').map((e) => e.event)).toEqual(['alert.started', 'alert.ended'])
  })

  it('raises the dead-letter ratio and growth of a DLQ from the broker counters over the window', async () => {
    // A monitor of this vhost alone, evaluated on demand at times the test sets: the broker's
    // counters are real, the window's position is chosen rather than slept for.
    const clock = { now: Date.now() }
    // The app's own reading of the broker: on one without statistics, declares and Prometheus.
    const discovery = createDiscovery(warren.management, 0, () => clock.now)
    const calls: { event: string; alert: Alert }[] = []
    const monitor = createAlertMonitor({
      discovery: { topology: () => discovery.topology(vhost.name) },
      log: warren.log,
      thresholds: {
        failureRatio: 0.01,
        backlog: 1000,
        deadLetterAgeMs: 3_600_000,
        windowMs: WINDOW,
      },
      webhook: 'http://alerts.invalid/hook',
      fetch: (_url, init) => {
        calls.push(JSON.parse(String(init?.body)) as Event)
        return Promise.resolve(new Response(null, { status: 204 }))
      },
      now: () => clock.now,
    })
    await vhost.withChannel(async (ch) => {
      await ch.assertQueue('jobs', {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'jobs.dlq' },
      })
      await ch.assertQueue('jobs.dlq', { durable: true })
    })
    // The baseline: both queues known, no traffic yet.
    expect(await monitor.evaluate()).toEqual([])

    await vhost.withChannel(async (ch) => {
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
      // The management API reports counters only every few seconds: wait until it has all of
      // them, with the channel still open (a channel closed before it reported is never counted).
      await eventually(async () => {
        const { queues } = await discovery.topology(vhost.name)
        const jobs = queues.find((q) => q.name === 'jobs')
        const dlq = queues.find((q) => q.name === 'jobs.dlq')
        const settled =
          jobs?.totals.acked === 10 &&
          jobs.ready === 0 &&
          dlq?.totals.published === 2 &&
          dlq.messages === 2
        return settled ? true : undefined
      })
    })

    clock.now += WINDOW / 2
    const raised = await monitor.evaluate()
    clock.now += WINDOW
    const afterWindow = await monitor.evaluate()

    const since = new Date(clock.now - WINDOW).toISOString()
    expect(raised).toEqual([
      {
        rule: 'dead-letter-growth',
        vhost: vhost.name,
        queue: 'jobs.dlq',
        value: 2,
        threshold: 0,
        since,
      },
      {
        rule: 'dead-letter-ratio',
        vhost: vhost.name,
        queue: 'jobs.dlq',
        value: 0.2,
        threshold: 0.01,
        since,
      },
    ])
    expect(afterWindow).toEqual([])
    expect(calls.map((call) => [call.event, call.alert.rule])).toEqual([
      ['alert.started', 'dead-letter-growth'],
      ['alert.started', 'dead-letter-ratio'],
      ['alert.ended', 'dead-letter-growth'],
      ['alert.ended', 'dead-letter-ratio'],
    ])
  })
})
