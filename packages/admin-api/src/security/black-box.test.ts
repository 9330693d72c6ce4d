// The findings of a black-box test of the admin API's routes, each closed (issue 16, item 7).
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestVhost, management, type TestVhost } from '@warren/test-kit'
import { createAlertMonitor } from '../alerts/monitor.js'
import { createApp, type WarrenApp } from '../app.js'
import { createDiscovery } from '../discovery/index.js'
import { startServer, type RunningServer } from '../server.js'
import {
  ADMIN_TOKEN,
  eventually,
  json,
  operator,
  tempDir,
  testConfig,
  viewer,
} from '../test-support/core.js'

const cookieOf = (response: Response) =>
  (response.headers.get('set-cookie') ?? '').split(';')[0] as string

describe('black-box findings, closed', () => {
  let vhost: TestVhost
  let dir: Awaited<ReturnType<typeof tempDir>>
  let warren: WarrenApp
  let proxied: RunningServer
  let direct: RunningServer
  const logs: string[] = []

  beforeAll(async () => {
    vhost = await createTestVhost('black-box')
    dir = await tempDir()
    await vhost.withChannel(async (ch) => {
      await ch.assertQueue('orders', {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'orders.dlq' },
      })
      await ch.assertQueue('orders.dlq', { durable: true })
      ch.sendToQueue('orders.dlq', Buffer.from('{}'))
      await ch.checkQueue('orders.dlq')
    })
    const env = { WARREN_VHOSTS: vhost.name, WARREN_LOGIN_RATE_LIMIT: '3', WARREN_PORT: '0' }
    warren = createApp(testConfig(dir.path, env), { logSink: (line) => logs.push(line) })
    // Behind a proxy at 127.0.0.1, and directly reachable: the two ways an address is known.
    proxied = await startServer(
      testConfig(`${dir.path}/proxied`, { ...env, WARREN_TRUSTED_PROXIES: '127.0.0.1' }),
      { logSink: () => {} },
    )
    direct = await startServer(testConfig(`${dir.path}/direct`, env), { logSink: () => {} })
  })

  afterAll(async () => {
    try {
      await Promise.all([warren?.close(), proxied?.close(), direct?.close()])
    } finally {
      await vhost?.remove()
      await dir?.remove()
    }
  })

  const get = (server: RunningServer, token: string, from?: string) =>
    fetch(`${server.url}api/session`, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(from === undefined ? {} : { 'x-forwarded-for': from }),
      },
    })

  it('answers wrong bearer tokens 429 with Retry-After once the limit is reached, also the right one', async () => {
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await get(direct, `wrong-${i}`)).status)
    expect(statuses).toEqual([401, 401, 401, 429, 429])
    const right = await get(direct, ADMIN_TOKEN)
    expect(right.status).toBe(429)
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(right.headers.get('content-type')).toBe('application/problem+json')
    expect(await right.json()).toMatchObject({ type: 'urn:warren:problem:too-many-attempts' })
  })

  it('keys the limit by the forwarded client behind a trusted proxy, never by what a client forges', async () => {
    // The proxy appends the real client last; whatever the client sent stands to its left.
    for (let i = 0; i < 3; i++) {
      expect((await get(proxied, 'wrong', `198.51.100.${i}, 203.0.113.7`)).status).toBe(401)
    }
    expect((await get(proxied, ADMIN_TOKEN, '198.51.100.99, 203.0.113.7')).status).toBe(429)
    expect((await get(proxied, ADMIN_TOKEN, '203.0.113.8')).status).toBe(200)
    // Without a trusted proxy the header means nothing: the socket (blocked above) decides.
    expect((await get(direct, ADMIN_TOKEN, '203.0.113.9')).status).toBe(429)
  })

  it('answers DELETE /api/session with a bearer token 204, records nothing and ends no session', async () => {
    const login = await warren.app.request('/api/session', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
    const cookie = cookieOf(login)
    const before = (await warren.audit.list({ limit: 1, offset: 0 })).total
    for (let i = 0; i < 20; i++) {
      const response = await warren.app.request('/api/session', {
        method: 'DELETE',
        headers: operator,
      })
      expect(response.status).toBe(204)
    }
    expect((await warren.audit.list({ limit: 1, offset: 0 })).total).toBe(before)
    const still = await warren.app.request('/api/session', { headers: { cookie } })
    expect(await still.json()).toEqual({ name: 'admin-token', role: 'operator' })
  })

  it('keeps 20 sessions per token: a 21st login ends the oldest', async () => {
    const cookies: string[] = []
    for (let i = 0; i < 21; i++) {
      const login = await warren.app.request('/api/session', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ token: ADMIN_TOKEN }),
      })
      cookies.push(cookieOf(login))
    }
    const status = async (cookie: string) =>
      (await warren.app.request('/api/session', { headers: { cookie } })).status
    expect(await status(cookies[0] as string)).toBe(401)
    expect(await status(cookies[20] as string)).toBe(200)
  })

  it('records a restore refused with 409 in the audit log', async () => {
    const operationId = randomUUID()
    const restore = () =>
      warren.app.request('/api/archive/restore', {
        method: 'POST',
        headers: { ...operator, ...json },
        body: JSON.stringify({ ids: [`${vhost.encoded}:0`], operationId }),
      })
    expect((await restore()).status).toBe(200)
    const refused = await restore()
    expect(refused.status).toBe(409)
    const [last] = (await warren.audit.list({ limit: 1, offset: 0 })).items
    expect(last).toMatchObject({
      action: 'restore',
      outcome: 'failure',
      target: `/${vhost.encoded}/warren.archive`,
    })
  })

  it("declares no archive stream on a viewer's read of the archive", async () => {
    const response = await warren.app.request(`/api/archive?vhost=${vhost.encoded}`, {
      headers: viewer,
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ total: 0, items: [] })
    await expect(management('GET', `/api/queues/${vhost.encoded}/warren.archive`)).rejects.toThrow(
      /404/,
    )
  })

  it.each([
    ['a rebinding page', 'evil.example:8080', 421],
    ['an IP address', '127.0.0.1:8080', 200],
    ['localhost', 'localhost:8080', 200],
  ])('answers a Host of %s (%s) with %i', async (_, host, status) => {
    const response = await direct.warren.app.request(`http://${host}/api/health`)
    expect(response.status).toBe(status)
    if (status === 421) {
      expect(await response.json()).toMatchObject({ type: 'urn:warren:problem:host-not-allowed' })
    }
  })

  it('answers to a name of WARREN_ALLOWED_HOSTS', async () => {
    const named = createApp(
      testConfig(`${dir.path}/named`, { WARREN_ALLOWED_HOSTS: 'warren.internal' }),
      { logSink: () => {} },
    )
    try {
      const response = await named.app.request('http://warren.internal:8080/api/health')
      expect(response.status).toBe(200)
      expect((await named.app.request('http://other.internal/api/health')).status).toBe(421)
    } finally {
      await named.close()
    }
  })

  it('answers 502 without internal addresses when AMQP is down', async () => {
    const down = createApp(
      testConfig(`${dir.path}/down`, {
        WARREN_VHOSTS: vhost.name,
        WARREN_AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
      }),
      { logSink: () => {} },
    )
    try {
      const response = await down.app.request(
        `/api/dead-letters/${vhost.encoded}/orders.dlq/messages?limit=1`,
        { headers: operator },
      )
      expect(response.status).toBe(502)
      const text = await response.text()
      expect(JSON.parse(text)).toMatchObject({ title: 'RabbitMQ is not reachable over AMQP' })
      expect(text).not.toContain('127.0.0.1')
    } finally {
      await down.close()
    }
  })

  it('does not follow a redirect of the alert webhook', async () => {
    // A job nobody consumes: a backlog alert (threshold 0) on any broker, counted by a passive
    // declare where the broker keeps no statistics.
    await vhost.withChannel(async (ch) => {
      ch.sendToQueue('orders', Buffer.from('{}'))
      await ch.checkQueue('orders')
    })
    const posts: string[] = []
    const hooks: Server = createServer((request, response) => {
      posts.push(request.url ?? '')
      request.resume()
      if (request.url === '/hook') response.writeHead(307, { location: '/elsewhere' }).end()
      else response.writeHead(204).end()
    })
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve))
    const port = (hooks.address() as AddressInfo).port
    const discovery = createDiscovery(warren.management, 0)
    const monitor = createAlertMonitor({
      discovery: { topology: () => discovery.topology(vhost.name) },
      log: warren.log,
      thresholds: { failureRatio: 1, backlog: 0, deadLetterAgeMs: 3_600_000, windowMs: 60_000 },
      webhook: `http://127.0.0.1:${port}/hook`,
    })
    try {
      await eventually(async () => ((await monitor.evaluate()).length > 0 ? true : undefined))
      await monitor.stop()
      expect(posts.length).toBeGreaterThan(0)
      expect(posts.filter((path) => path !== '/hook')).toEqual([])
      expect(logs.some((line) => line.includes('"status":307'))).toBe(true)
    } finally {
      await monitor.stop()
      await new Promise((resolve) => hooks.close(resolve))
    }
  })
})
