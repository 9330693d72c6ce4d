import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestVhost } from '@warren/test-kit'
import type { WarrenApp } from '../app.js'
import type { AuditEntry } from '../audit/types.js'
import { ADMIN_TOKEN, json, scopedTestApp } from '../test-support/core.js'

// The dead-letter module's own tests cover its semantics; this proves it is mounted behind the
// app's session auth, CSRF check and audit log.
describe('dead-letter operations mounted in the app', () => {
  let vhost: TestVhost
  let warren: WarrenApp
  let remove: (() => Promise<void>) | undefined

  beforeAll(async () => {
    ;({ vhost, warren, remove } = await scopedTestApp('core-mount', async (vhost) => {
      await vhost.withChannel(async (ch) => {
        await ch.assertQueue('tickets', {
          durable: true,
          arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'tickets.dlq' },
        })
        await ch.assertQueue('tickets.dlq', { durable: true })
        for (const n of [1, 2]) {
          ch.sendToQueue('tickets.dlq', Buffer.from(JSON.stringify({ n })), {
            messageId: `ticket-${n}`,
            contentType: 'application/json',
            headers: {
              'warren-original-queue': 'tickets',
              'warren-dead-letter-reason': 'max-attempts',
            },
          })
        }
        await ch.checkQueue('tickets.dlq')
      })
    }))
  })

  afterAll(() => remove?.())

  it('browses and requeues with the session cookie, and the audit names the logged-in actor', async () => {
    const origin = 'http://127.0.0.1:8080'
    const login = await warren.app.request(`${origin}/api/session`, {
      method: 'POST',
      headers: { ...json, origin },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    const base = `${origin}/api/dead-letters/${vhost.encoded}/tickets.dlq`

    const browse = await warren.app.request(`${base}/messages?limit=10`, { headers: { cookie } })
    expect(browse.status).toBe(200)
    const page = (await browse.json()) as { items: { id: string; messageId: string }[] }
    expect(page.items.map((m) => m.messageId)).toEqual(['ticket-1', 'ticket-2'])

    const chosen = page.items[0]?.id ?? ''
    const response = await warren.app.request(`${base}/requeue`, {
      method: 'POST',
      headers: { ...json, cookie, origin },
      body: JSON.stringify({ ids: [chosen] }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ requeued: 1, notFound: [], failed: [] })

    const audit = await warren.app.request(`${origin}/api/audit?limit=5`, { headers: { cookie } })
    const entries = ((await audit.json()) as { items: AuditEntry[] }).items
    expect(entries[0]).toMatchObject({
      actor: { name: 'admin-token', role: 'operator' },
      action: 'requeue',
      counts: { requeued: 1 },
      outcome: 'success',
    })
    expect(entries[1]).toMatchObject({ action: 'login', outcome: 'success' })
  })
})
