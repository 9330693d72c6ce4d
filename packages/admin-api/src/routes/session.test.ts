import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { ADMIN_TOKEN, VIEWER_TOKEN, json, tempDir, testConfig } from '../test-support/core.js'

const login = (token: string) => ({
  method: 'POST',
  headers: json,
  body: JSON.stringify({ token }),
})

describe('/api/session', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
  })
  afterAll(async () => {
    await dir.remove()
  })

  it('logs in with the admin token, sets an httpOnly SameSite=Strict cookie that authenticates', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      const response = await warren.app.request('/api/session', login(ADMIN_TOKEN))
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ name: 'admin-token', role: 'operator' })
      const cookie = response.headers.get('set-cookie') ?? ''
      expect(cookie).toMatch(/^warren_session=[\w-]{40,};/)
      expect(cookie).toContain('HttpOnly')
      expect(cookie).toContain('SameSite=Strict')
      expect(cookie).toContain('Path=/')
      expect(cookie).not.toContain(ADMIN_TOKEN)

      const session = cookie.split(';')[0] ?? ''
      const whoami = await warren.app.request('/api/session', { headers: { cookie: session } })
      expect(await whoami.json()).toEqual({ name: 'admin-token', role: 'operator' })

      const logout = await warren.app.request('/api/session', {
        method: 'DELETE',
        headers: { cookie: session },
      })
      expect(logout.status).toBe(204)
      expect(logout.headers.get('set-cookie')).toMatch(/warren_session=;.*Max-Age=0/)
      const after = await warren.app.request('/api/session', { headers: { cookie: session } })
      expect(after.status).toBe(401)
    } finally {
      await warren.close()
    }
  })

  it('gives the viewer token the viewer role', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      const response = await warren.app.request('/api/session', login(VIEWER_TOKEN))
      expect(await response.json()).toMatchObject({ role: 'viewer' })
    } finally {
      await warren.close()
    }
  })

  it('refuses a wrong token with 401 problem and records the failed login in the audit', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      const response = await warren.app.request('/api/session', login('not-the-token'))
      expect(response.status).toBe(401)
      expect(response.headers.get('content-type')).toContain('application/problem+json')
      expect(await response.json()).toMatchObject({ status: 401, title: 'Invalid token' })
      const audit = await warren.audit.list({ limit: 1, offset: 0 })
      expect(audit.items[0]).toMatchObject({ action: 'login', outcome: 'failure' })
    } finally {
      await warren.close()
    }
  })

  it('answers 429 after 10 failed logins from one client within a minute', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      // Successful logins don't count: a console that logs in often is never locked out.
      for (let i = 0; i < 12; i++) {
        expect((await warren.app.request('/api/session', login(ADMIN_TOKEN))).status).toBe(200)
      }
      const statuses: number[] = []
      for (let i = 0; i < 11; i++) {
        statuses.push((await warren.app.request('/api/session', login('wrong'))).status)
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
      expect(statuses[10]).toBe(429)
      // Even the right token waits until the window ends.
      const blocked = await warren.app.request('/api/session', login(ADMIN_TOKEN))
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    } finally {
      await warren.close()
    }
  })
})
