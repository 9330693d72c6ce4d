import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHost } from './embed-hono.js'
import { staffHeader } from './host-auth.js'
import {
  expectConsoleUnder,
  hostUnderTest,
  listedQueues,
  QUEUE,
  type HostUnderTest,
} from './test-support/host.js'

describe('Warren embedded in a Hono service at /ops/warren, trusting its login', () => {
  let env: HostUnderTest
  let host: Awaited<ReturnType<typeof startHost>>
  beforeAll(async () => {
    env = await hostUnderTest('hono')
    host = await startHost(env.port, env.config)
  })
  afterAll(async () => {
    try {
      await host?.close()
    } finally {
      await env?.remove()
    }
  })

  it('lets staff in as operators without a Warren token', async () => {
    const session = await fetch(`${host.url}api/session`, {
      headers: { authorization: staffHeader },
    })
    expect(await session.json()).toEqual({ name: 'admin-token', role: 'operator' })
    expect(await listedQueues(host.url, { authorization: staffHeader })).toEqual([QUEUE])
  })

  it("refuses everyone else at the host's door", async () => {
    const response = await fetch(`${host.url}api/queues`)
    expect(response.status).toBe(401)
    expect(await response.text()).toBe('staff only')
  })

  it('serves the console and its assets under the prefix', async () => {
    await expectConsoleUnder(host.url, { authorization: staffHeader })
    const bare = await fetch(host.url.slice(0, -1), {
      headers: { authorization: staffHeader },
      redirect: 'manual',
    })
    expect(bare.status).toBe(308)
    expect(bare.headers.get('location')).toBe('/ops/warren/')
  })

  it("leaves the host's own routes to the host", async () => {
    expect(await (await fetch(new URL('/', host.url))).text()).toBe('orders service')
  })
})
