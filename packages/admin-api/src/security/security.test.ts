import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestVhost } from '@warren/test-kit'
import { createApp, type WarrenApp } from '../app.js'
import {
  ADMIN_TOKEN,
  VIEWER_TOKEN,
  json,
  operator,
  spyFetch,
  tempDir,
  testConfig,
  viewer,
} from '../test-support/core.js'

describe('admin API security', () => {
  let vhost: Awaited<ReturnType<typeof createTestVhost>>
  let dir: Awaited<ReturnType<typeof tempDir>>
  let warren: WarrenApp
  let spy: ReturnType<typeof spyFetch>
  const logs: string[] = []

  beforeAll(async () => {
    vhost = await createTestVhost('core-security')
    dir = await tempDir()
    await vhost.withChannel(async (ch) => {
      await ch.assertQueue('orders.dlq', { durable: true })
    })
    spy = spyFetch()
    warren = createApp(testConfig(dir.path, { WARREN_VHOSTS: vhost.name }), {
      fetch: spy.fetch,
      logSink: (l) => logs.push(l),
    })
  })

  afterAll(async () => {
    try {
      await warren?.close()
    } finally {
      await vhost?.remove()
      await dir?.remove()
    }
  })

  const requeue = `/api/dead-letters/%2F/orders.dlq/requeue`

  it('answers 401 problem to a request without a token', async () => {
    const response = await warren.app.request('/api/queues')
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(response.headers.get('www-authenticate')).toContain('Bearer')
    expect(await response.json()).toMatchObject({
      type: 'urn:warren:problem:unauthorized',
      title: 'Unauthorized',
      status: 401,
    })
  })

  it('answers 401 to a wrong bearer token', async () => {
    const response = await warren.app.request('/api/queues', {
      headers: { authorization: 'Bearer nope' },
    })
    expect(response.status).toBe(401)
  })

  it('lets a viewer read but answers 403 to a viewer POST (requeue)', async () => {
    const read = await warren.app.request(`/api/queues?vhost=${vhost.encoded}`, { headers: viewer })
    expect(read.status).toBe(200)
    const response = await warren.app.request(requeue, {
      method: 'POST',
      headers: { ...viewer, ...json },
      body: JSON.stringify({ all: true }),
    })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ title: 'Forbidden' })
  })

  it('answers 403 to a cross-origin POST, even with a valid token', async () => {
    const response = await warren.app.request('http://127.0.0.1:8080' + requeue, {
      method: 'POST',
      headers: { ...operator, ...json, origin: 'https://evil.example' },
      body: JSON.stringify({ all: true }),
    })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ type: 'urn:warren:problem:cross-origin' })
  })

  it('accepts a same-origin POST past the CSRF check', async () => {
    const response = await warren.app.request('http://127.0.0.1:8080/api/session', {
      method: 'POST',
      headers: { ...json, origin: 'http://127.0.0.1:8080' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
    expect(response.status).toBe(200)
  })

  it('answers 415 to a POST that is not application/json (a form post)', async () => {
    const response = await warren.app.request(requeue, {
      method: 'POST',
      headers: { ...operator, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'all=true',
    })
    expect(response.status).toBe(415)
    const text = await warren.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
    expect(text.status).toBe(415)
  })

  it('answers 413 problem to a 10 MB body', async () => {
    const response = await warren.app.request(requeue, {
      method: 'POST',
      headers: { ...operator, ...json },
      body: JSON.stringify({ ids: ['x'.repeat(10 * 1024 * 1024)] }),
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ title: 'Payload too large', status: 413 })
  })

  const readsOf = (vhost: string, queue?: string) =>
    new RegExp(
      `^/api/((queues|bindings|exchanges|policies)/${vhost}(\\?|$)` +
        (queue ? `|queues/${vhost}/${queue}\\?)` : ')'),
    )
  const own = () => vhost.encoded.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  it.each([
    ['a dot-dot queue name', () => `/api/queues/${vhost.encoded}/..`, null],
    ['an encoded dot-dot queue name', () => `/api/queues/${vhost.encoded}/%2E%2E`, null],
    ['a dot-dot vhost', () => '/api/queues/%2E%2E/orders.dlq', null],
    // Outside the API's vhosts (WARREN_VHOSTS): as unknown as a vhost that doesn't exist.
    ['a vhost of %2F..', () => '/api/queues/%2F../orders.dlq', null],
    [
      'a queue name of %2F..%2F..%2Fusers',
      () => `/api/queues/${vhost.encoded}/%2F..%2F..%2Fusers`,
      () => readsOf(own(), '%2F\\.\\.%2F\\.\\.%2Fusers'),
    ],
    ['a 10,000-character name', () => `/api/queues/${vhost.encoded}/${'q'.repeat(10_000)}`, null],
    ['a control character', () => `/api/queues/${vhost.encoded}/orders%0Adlq`, null],
  ])(
    'answers 400 or 404 to %s without reaching any other management path',
    async (_, path, allowed) => {
      spy.paths.length = 0
      const response = await warren.app.request(path(), { headers: operator })
      expect([400, 404]).toContain(response.status)
      if (allowed === null) expect(spy.paths).toEqual([])
      else {
        // The name reached the management API, but only encoded, as one path segment.
        expect(spy.paths.length).toBeGreaterThan(0)
        for (const called of spy.paths) expect(called).toMatch(allowed())
      }
    },
  )

  it('encodes names so a vhost with a slash stays one path segment', async () => {
    spy.paths.length = 0
    const response = await warren.app.request(`/api/queues/${vhost.encoded}/orders.dlq`, {
      headers: operator,
    })
    expect(response.status).toBe(200)
    expect(spy.paths).toContain(
      `/api/queues/${vhost.encoded}/orders.dlq?lengths_age=600&lengths_incr=10&msg_rates_age=600&msg_rates_incr=10`,
    )
  })

  it('answers 502 problem when the management API is down, without its credentials', async () => {
    const down = createApp(
      testConfig(dir.path, {
        WARREN_MANAGEMENT_URL: 'http://127.0.0.1:1',
        WARREN_MANAGEMENT_PASSWORD: 'management-secret-pw',
      }),
      { logSink: (l) => logs.push(l) },
    )
    try {
      const response = await down.app.request('/api/queues', { headers: operator })
      expect(response.status).toBe(502)
      const text = await response.text()
      expect(JSON.parse(text)).toMatchObject({ title: 'RabbitMQ management API unavailable' })
      expect(text).not.toContain('management-secret-pw')
      expect(text.toLowerCase()).not.toContain('authorization')
    } finally {
      await down.close()
    }
  })

  it('sends secure headers', async () => {
    const response = await warren.app.request('/api/health')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  })

  it('never puts a credential into a response body or a log line', async () => {
    const bodies: string[] = []
    for (const [path, init] of [
      ['/api/health', {}],
      [
        '/api/session',
        { method: 'POST', headers: json, body: JSON.stringify({ token: ADMIN_TOKEN }) },
      ],
      ['/api/session', { headers: viewer }],
      [`/api/queues?vhost=${vhost.encoded}`, { headers: operator }],
      [`/api/queues/${vhost.encoded}/..`, { headers: operator }],
    ] as const) {
      bodies.push(await (await warren.app.request(path, init)).text())
    }
    // The 502 test above logged the management failure: there are lines to check.
    expect(logs.length).toBeGreaterThan(0)
    const everything = [...bodies, ...logs].join('\n')
    for (const secret of [ADMIN_TOKEN, VIEWER_TOKEN, 'management-secret-pw', 'guest:guest']) {
      expect(everything).not.toContain(secret)
    }
    expect(everything).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/)
  })
})
