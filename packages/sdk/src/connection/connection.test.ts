import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, WarrenError } from '../index.js'
import { createVhost, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-connection')
})
afterAll(async () => {
  await vhost?.delete()
})

// Port 1 on loopback refuses at once: a cluster node that is down.
const DOWN = 'amqp://guest:guest@127.0.0.1:1'
const topology = defineTopology({ queues: { 'ping.pong': { retry: false } } })

describe('connecting', () => {
  it('tries the nodes of a URL list in turn and connects to the one that answers', async () => {
    const broker = await connect({
      url: [DOWN, vhost.url],
      topology,
      reconnect: { initialDelay: '50ms' },
    })
    try {
      expect(broker.connected).toBe(true)
      expect(broker.serverVersion).toMatch(/^\d+\.\d+/)
      await broker.publish('', 'ping.pong', { ok: true })
      expect(await vhost.count('ping.pong')).toBe(1)
    } finally {
      await broker.close()
    }
  })

  it('also reads the list comma-separated, as WARREN_AMQP_URL gives it', async () => {
    const broker = await connect({ url: `${DOWN},${vhost.url}`, topology })
    try {
      expect(broker.connected).toBe(true)
    } finally {
      await broker.close()
    }
    expect(broker.connected).toBe(false)
  })

  it('rejects with CONNECTION_FAILED when no node answers within connectTimeout', async () => {
    const error = await connect({ url: DOWN, topology, connectTimeout: '300ms' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(WarrenError)
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' })
    expect((error as Error).message).toContain('127.0.0.1:1')
    expect((error as Error).message).toContain('ECONNREFUSED')
  })

  // connectTimeout is a minute in these tests: an answer within the test's own 10 s means the
  // broker's refusal was not retried.
  const refused = async (url: string | string[]): Promise<WarrenError> => {
    const outcome = await connect({ url, topology, connectTimeout: '60s' }).then(
      async (broker) => broker.close(),
      (e: unknown) => e,
    )
    expect(outcome).toBeInstanceOf(WarrenError)
    return outcome as WarrenError
  }

  it('fails at once with ACCESS_REFUSED and the broker words when the password is wrong', async () => {
    const url = new URL(vhost.url)
    url.password = 'not-the-password'
    const error = await refused(url.toString())
    expect(error.code).toBe('ACCESS_REFUSED')
    expect(error.message).toContain(`refused the login of user '${url.username}'`)
    expect(error.message).toContain('Login was refused')
    expect(error.message).not.toContain('not-the-password')
  }, 10_000)

  it('fails at once with NOT_ALLOWED naming the vhost when it does not exist', async () => {
    const url = new URL(vhost.url)
    url.pathname = '/no-such-vhost'
    const error = await refused(url.toString())
    expect(error.code).toBe('NOT_ALLOWED')
    expect(error.message).toContain("refused vhost 'no-such-vhost'")
  }, 10_000)

  it('fails at once with TLS_FAILED when the port does not speak TLS', async () => {
    const url = new URL(vhost.url)
    url.protocol = 'amqps:'
    const error = await refused(url.toString())
    expect(error.code).toBe('TLS_FAILED')
  }, 10_000)

  it('fails with HOST_NOT_FOUND once no host of the list resolves, and connects while one does', async () => {
    const nowhere = 'amqp://guest:guest@warren-no-such-host.invalid:5672'
    const error = await refused([nowhere, 'amqp://guest:guest@warren-nor-this.invalid:5672'])
    expect(error.code).toBe('HOST_NOT_FOUND')
    expect(error.message).toContain('warren-no-such-host.invalid')
    const broker = await connect({ url: [nowhere, vhost.url], topology })
    try {
      expect(broker.connected).toBe(true)
    } finally {
      await broker.close()
    }
  }, 10_000)
})
