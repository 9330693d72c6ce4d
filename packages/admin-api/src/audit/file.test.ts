import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { ADMIN_TOKEN, json, operator, tempDir, testConfig } from '../test-support/core.js'
import { createFileAuditLog } from './file.js'
import type { AuditEntry } from './types.js'

describe('audit log', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
  })
  afterAll(async () => {
    await dir.remove()
  })

  it('survives re-creating the app: a login recorded before is listed after', async () => {
    const config = testConfig(`${dir.path}/restart`)
    const first = createApp(config)
    try {
      const login = await first.app.request('/api/session', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ token: ADMIN_TOKEN }),
      })
      expect(login.status).toBe(200)
    } finally {
      await first.close()
    }
    const second = createApp(config)
    try {
      const response = await second.app.request('/api/audit', { headers: operator })
      expect(response.status).toBe(200)
      const body = (await response.json()) as { items: AuditEntry[]; total: number }
      expect(body.total).toBe(1)
      expect(body.items[0]).toMatchObject({
        actor: { name: 'admin-token', role: 'operator' },
        action: 'login',
        target: 'session',
        outcome: 'success',
      })
      expect(JSON.stringify(body)).not.toContain(ADMIN_TOKEN)
    } finally {
      await second.close()
    }
  })

  it('lists newest first, paged with limit and offset', async () => {
    const log = createFileAuditLog(`${dir.path}/paging`)
    const actor = { name: 'ops', role: 'operator' as const }
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        log.record({
          actor,
          action: 'requeue',
          target: `/%2F/q${n}.dlq`,
          counts: { requeued: n },
          outcome: 'success',
        }),
      ),
    )
    const page = await log.list({ limit: 2, offset: 1 })
    expect(page.total).toBe(5)
    expect(page.items.map((entry) => entry.target)).toEqual(['/%2F/q4.dlq', '/%2F/q3.dlq'])
  })

  it('rejects a page size above 500', async () => {
    const warren = createApp(testConfig(`${dir.path}/cap`))
    try {
      const response = await warren.app.request('/api/audit?limit=501', { headers: operator })
      expect(response.status).toBe(400)
    } finally {
      await warren.close()
    }
  })
})
