// Logging in as a RabbitMQ user: their tags make the role, their permissions the vhosts they see.
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestVhost, type TestVhost } from '@warren/test-kit'
import { createApp, type WarrenApp } from '../app.js'
import { startServer, type RunningServer } from '../server.js'
import { json, tempDir, testConfig } from '../test-support/core.js'
import { ALL, READ_ONLY, createTestUser, type TestUser } from '../test-support/users.js'

const cookieOf = (response: Response) =>
  (response.headers.get('set-cookie') ?? '').split(';')[0] as string

describe('people log in with their RabbitMQ user', () => {
  let shop: TestVhost
  let billing: TestVhost
  let dir: Awaited<ReturnType<typeof tempDir>>
  let warren: WarrenApp
  const users: TestUser[] = []
  const logs: string[] = []
  let alice: TestUser // management, writes in shop only: operator there, nothing else
  let victor: TestUser // monitoring in both: a viewer
  let ada: TestUser // administrator, writes in shop, reads billing
  let nobody: TestUser // management, no permission on a watched vhost

  const seed = (queue: string) => async (vhost: TestVhost) =>
    vhost.withChannel(async (ch) => {
      await ch.assertQueue(queue, {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': `${queue}.dlq` },
      })
      await ch.assertQueue(`${queue}.dlq`, { durable: true })
      ch.sendToQueue(`${queue}.dlq`, Buffer.from('{}'))
      await ch.checkQueue(`${queue}.dlq`)
    })

  beforeAll(async () => {
    shop = await createTestVhost('people-shop')
    billing = await createTestVhost('people-billing')
    await seed('orders')(shop)
    await seed('charges')(billing)
    const user = async (...args: Parameters<typeof createTestUser>) => {
      const made = await createTestUser(...args)
      users.push(made)
      return made
    }
    alice = await user('alice', 'management', { [shop.name]: ALL })
    victor = await user('victor', 'monitoring', { [shop.name]: ALL, [billing.name]: READ_ONLY })
    ada = await user('ada', 'administrator', { [shop.name]: ALL, [billing.name]: READ_ONLY })
    nobody = await user('nobody', 'management')
    dir = await tempDir()
    warren = createApp(testConfig(dir.path, { WARREN_VHOSTS: `${shop.name},${billing.name}` }), {
      logSink: (line) => logs.push(line),
    })
  })

  afterAll(async () => {
    try {
      await warren?.close()
    } finally {
      for (const user of users) await user.remove()
      await shop?.remove()
      await billing?.remove()
      await dir?.remove()
    }
  })

  const login = (user: TestUser, password = user.password) =>
    warren.app.request('/api/session', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: user.name, password }),
    })
  const as = async (user: TestUser) => {
    const cookie = cookieOf(await login(user))
    return (path: string, init: RequestInit = {}) =>
      warren.app.request(path, {
        ...init,
        headers: { cookie, ...json, ...(init.headers as Record<string, string>) },
      })
  }
  const requeue = { method: 'POST', body: JSON.stringify({ all: true }) }

  it('maps tags and permissions to a role per vhost', async () => {
    const response = await login(alice)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      name: alice.name,
      role: 'operator',
      vhosts: { [shop.name]: 'operator' },
    })
    expect(await (await login(victor)).json()).toMatchObject({
      role: 'viewer',
      vhosts: { [shop.name]: 'viewer', [billing.name]: 'viewer' },
    })
    expect(await (await login(ada)).json()).toMatchObject({
      role: 'operator',
      vhosts: { [shop.name]: 'operator', [billing.name]: 'viewer' },
    })
  })

  it('shows a person only their vhosts, in every list and count, and 404 outside', async () => {
    const get = await as(alice)
    const queues = (await (await get('/api/queues')).json()) as {
      items: { vhost: string }[]
      total: number
    }
    expect(queues.total).toBe(2)
    expect(new Set(queues.items.map((q) => q.vhost))).toEqual(new Set([shop.name]))
    const deadLetters = (await (await get('/api/dead-letters')).json()) as {
      items: { vhost: string; name: string }[]
    }
    expect(deadLetters.items.map((q) => `${q.vhost}/${q.name}`)).toEqual([
      `${shop.name}/orders.dlq`,
    ])
    const overview = (await (await get('/api/overview')).json()) as {
      totals: { queues: number; messages: number }
    }
    expect(overview.totals.queues).toBe(2)
    for (const path of [
      `/api/queues/${billing.encoded}/charges`,
      `/api/dead-letters/${billing.encoded}/charges.dlq/messages`,
      `/api/queues?vhost=${billing.encoded}`,
      `/api/archive?vhost=${billing.encoded}`,
      `/api/alerts?vhost=${billing.encoded}`,
    ]) {
      const response = await get(path)
      expect([path, response.status]).toEqual([path, 404])
      expect(response.headers.get('content-type')).toBe('application/problem+json')
    }
    expect(
      (await get(`/api/dead-letters/${billing.encoded}/charges.dlq/requeue`, requeue)).status,
    ).toBe(404)
  })

  it('lets a person operate where they write, and answers 403 where they only view', async () => {
    const operatorAlice = await as(alice)
    expect(
      (await operatorAlice(`/api/dead-letters/${shop.encoded}/orders.dlq/requeue`, requeue)).status,
    ).toBe(200)
    const viewer = await as(victor)
    expect(
      (await viewer(`/api/dead-letters/${shop.encoded}/orders.dlq/requeue`, requeue)).status,
    ).toBe(403)
    const admin = await as(ada)
    expect(
      (await admin(`/api/dead-letters/${billing.encoded}/charges.dlq/purge`, requeue)).status,
    ).toBe(403)
    expect(await billing.count('charges.dlq')).toBe(1)
  })

  it('refuses a wrong password and a user with no watched vhost, and keeps no password anywhere', async () => {
    const wrong = await login(victor, 'not-the-password')
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toMatchObject({ type: 'urn:warren:problem:invalid-credentials' })
    const none = await login(nobody)
    expect(none.status).toBe(403)
    expect(await none.json()).toMatchObject({ type: 'urn:warren:problem:no-vhosts' })
    const audit = await readFile(warren.audit.path, 'utf8')
    expect(audit).toContain(`"name":"${alice.name}"`)
    for (const user of users) {
      expect(audit).not.toContain(user.password)
      expect(logs.join('\n')).not.toContain(user.password)
    }
  })

  it('limits failed logins per user, whatever address they come from', async () => {
    let server: RunningServer | undefined
    try {
      server = await startServer(
        testConfig(`${dir.path}/limited`, {
          WARREN_VHOSTS: shop.name,
          WARREN_PORT: '0',
          WARREN_LOGIN_RATE_LIMIT: '2',
          WARREN_TRUSTED_PROXIES: '127.0.0.1',
        }),
        { logSink: () => {} },
      )
      const attempt = (password: string, from: string) =>
        fetch(`${server?.url}api/session`, {
          method: 'POST',
          headers: { ...json, 'x-forwarded-for': from },
          body: JSON.stringify({ username: alice.name, password }),
        })
      expect((await attempt('wrong', '198.51.100.1')).status).toBe(401)
      expect((await attempt('wrong', '198.51.100.2')).status).toBe(401)
      const blocked = await attempt(alice.password, '198.51.100.3')
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    } finally {
      await server?.close()
    }
  })
})
