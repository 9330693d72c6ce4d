import { hc } from 'hono/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type AppType, type WarrenApp } from '../app.js'
import { ADMIN_TOKEN, tempDir, testConfig } from '../test-support/core.js'

describe('typed client (what the console uses)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let warren: WarrenApp
  beforeAll(async () => {
    dir = await tempDir()
    warren = createApp(testConfig(dir.path))
  })
  afterAll(async () => {
    try {
      await warren?.close()
    } finally {
      await dir?.remove()
    }
  })

  it('logs in and reads typed responses through hc<AppType>', async () => {
    const client = hc<AppType>('http://127.0.0.1:8080', {
      fetch: (input: string | URL | Request, init?: RequestInit) => warren.app.request(input, init),
    })
    const login = await client.api.session.$post({ json: { token: ADMIN_TOKEN } })
    expect(login.status).toBe(200)
    const session = await login.json()
    expect(session.role).toBe('operator')

    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` }
    const health = await client.api.health.$get()
    const status: 'ok' | 'degraded' = (await health.json()).status
    expect(status).toBe('ok')
    const queues = await client.api.queues.$get({ query: { pageSize: '1' } }, { headers })
    const body = await queues.json()
    expect(body.pageSize).toBe(1)
    expect(body.items.length).toBeLessThanOrEqual(1)
  })
})
