import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from './context.js'
import { createWarrenAdmin, type WarrenAdmin } from './embed.js'
import { ConfigError } from './errors.js'
import { json, tempDir, testConfig } from './test-support/core.js'

describe('createWarrenAdmin', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let admin: WarrenAdmin
  beforeAll(async () => {
    dir = await tempDir()
    admin = createWarrenAdmin({
      config: testConfig(dir.path),
      basePath: '/ops/warren',
      logSink: () => {},
      trustHost: (request) => (request.headers.get('x-host-role') as Role | null) ?? undefined,
    })
  })
  afterAll(async () => {
    try {
      await admin?.close()
    } finally {
      await dir?.remove()
    }
  })

  const call = (path: string, init: RequestInit = {}) =>
    admin.fetch(new Request(`http://host.test${path}`, init))

  it('grants the role the host vouches for, and nothing more', async () => {
    const session = await call('/ops/warren/api/session', { headers: { 'x-host-role': 'viewer' } })
    expect(await session.json()).toEqual({ name: 'viewer-token', role: 'viewer' })
    const change = await call('/ops/warren/api/alerts/evaluate', {
      method: 'POST',
      headers: { 'x-host-role': 'viewer', ...json },
      body: '{}',
    })
    expect(change.status).toBe(403)
  })

  it("leaves a request the host does not vouch for to Warren's own login", async () => {
    expect((await call('/ops/warren/api/session')).status).toBe(401)
    const login = await call('/ops/warren/api/session', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token: 'test-admin-token-0123456789' }),
    })
    expect(await login.json()).toMatchObject({ role: 'operator' })
  })

  it('answers only under its base path', async () => {
    expect((await call('/api/health')).status).toBe(404)
    expect((await call('/ops/warrenx/api/health')).status).toBe(404)
  })

  it.each(['ops/warren', '/ops/warren/', '/ops/../etc', '/ops warren', '/ops/"x'])(
    'refuses the base path %j',
    (basePath) => {
      expect(() => createWarrenAdmin({ config: testConfig(dir.path), basePath })).toThrow(
        ConfigError,
      )
    },
  )
})
