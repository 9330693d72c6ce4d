import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHost as startExpress } from './embed-express.js'
import { startHost as startFastify } from './embed-fastify.js'
import { staffHeader } from './host-auth.js'
import {
  ADMIN_TOKEN,
  expectConsoleUnder,
  hostUnderTest,
  listedQueues,
  QUEUE,
  type HostUnderTest,
} from './test-support/host.js'

// Express and Fastify hand Warren the Node request the same way (`admin.handler`), behind the
// host's own login: one specification for both.
describe.each([
  { name: 'Express', id: 'express', startHost: startExpress },
  { name: 'Fastify', id: 'fastify', startHost: startFastify },
])('Warren embedded in a $name service at /ops/warren, behind its login', ({ id, startHost }) => {
  let env: HostUnderTest
  let host: Awaited<ReturnType<typeof startHost>>
  beforeAll(async () => {
    env = await hostUnderTest(id)
    host = await startHost(env.port, env.config)
  })
  afterAll(async () => {
    try {
      await host?.close()
    } finally {
      await env?.remove()
    }
  })

  it("refuses a request without the host's login before Warren sees it", async () => {
    const response = await fetch(`${host.url}api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
    expect(response.status).toBe(401)
    expect(await response.text()).toBe('staff only')
  })

  it("still asks for Warren's login behind the host's", async () => {
    const response = await fetch(`${host.url}api/queues`, {
      headers: { authorization: staffHeader },
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
  })

  it('logs in under the prefix and lists the vhost’s queues with the session', async () => {
    const login = await fetch(`${host.url}api/session`, {
      method: 'POST',
      headers: { authorization: staffHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
    expect(login.status).toBe(200)
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    expect(cookie).toMatch(/^warren_session=/)
    expect(await listedQueues(host.url, { authorization: staffHeader, cookie })).toEqual([QUEUE])
  })

  it('serves the console and its assets under the prefix', async () => {
    await expectConsoleUnder(host.url, { authorization: staffHeader })
  })
})
