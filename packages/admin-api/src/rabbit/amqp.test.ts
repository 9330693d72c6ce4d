import { BROKER, closeConnection, connections, type BrokerConnection } from '@warren/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../errors.js'
import { AmqpPool } from './amqp.js'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import { redact, vhostUrl } from './amqp-url.js'

let broker: AmqpVhost

beforeAll(async () => {
  broker = await createAmqpVhost('warren-amqp')
})

afterAll(async () => {
  await broker?.dispose()
})

async function failureOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

describe('vhostUrl', () => {
  it('puts the vhost in the path, percent-encoded', () => {
    expect(vhostUrl('amqp://u:p@host:5672', '/')).toBe('amqp://u:p@host:5672/%2F')
    expect(vhostUrl('amqp://u:p@host:5672/old', 'a/b c')).toBe('amqp://u:p@host:5672/a%2Fb%20c')
  })
})

describe('redact', () => {
  it('hides the password of the configured URLs from a text', () => {
    const urls = ['amqp://svc:p%40ss-w0rd@rabbit:5672']
    expect(redact('failed amqp://svc:p%40ss-w0rd@rabbit:5672/x and p@ss-w0rd', urls)).toBe(
      'failed amqp://svc:***@rabbit:5672/x and ***',
    )
  })
})

describe('AmqpPool', () => {
  it('reports an unreachable broker as 502 without the credentials', async () => {
    const pool = new AmqpPool({
      urls: ['amqp://warren:s3cr3t-pa55@127.0.0.1:1'],
      connectTimeoutMs: 500,
    })
    try {
      const error = await failureOf(pool.checkQueue('/', 'orders.dlq'))
      const shown = JSON.stringify({
        message: error.message,
        detail: error.detail,
        cause: String(error.cause),
      })
      expect(error.status).toBe(502)
      expect(shown).not.toContain('s3cr3t-pa55')
      expect(shown).not.toContain('warren:')
    } finally {
      await pool.close()
    }
  })

  it('reports refused credentials without the password', async () => {
    const url = new URL(BROKER.amqp)
    url.password = 'wrong-pa55word'
    const pool = new AmqpPool({ urls: [url.toString()] })
    try {
      const error = await failureOf(pool.checkQueue(broker.name, 'orders.dlq'))
      expect(error.status).toBe(502)
      expect(`${error.message} ${error.detail} ${String(error.cause)}`).not.toContain(
        'wrong-pa55word',
      )
    } finally {
      await pool.close()
    }
  })

  it('tries the next URL when the first node is down', async () => {
    const pool = new AmqpPool({ urls: ['amqp://guest:guest@127.0.0.1:1', BROKER.amqp] })
    try {
      await broker.queue('fallback.dlq')
      expect(await pool.checkQueue(broker.name, 'fallback.dlq')).toEqual({
        messageCount: 0,
        consumerCount: 0,
      })
    } finally {
      await pool.close()
    }
  })

  it('reconnects on the next operation after its connection was closed by the broker', async () => {
    const pool = new AmqpPool({ urls: [BROKER.amqp] })
    try {
      await broker.queue('reconnect.dlq')
      await broker.publish('reconnect.dlq', [{ body: 'x' }])
      // The connections of the tests before leave the broker's list a moment after they close.
      await waitUntil(async () => (await adminConnections(broker.name)).length === 0)
      await pool.checkQueue(broker.name, 'reconnect.dlq')
      const [connection, ...others] = await adminConnections(broker.name)
      expect(connection).toBeDefined()
      expect(others).toEqual([])
      await closeConnection(connection as BrokerConnection)
      await waitUntil(async () => (await adminConnections(broker.name)).length === 0)

      const state = await pool.checkQueue(broker.name, 'reconnect.dlq')

      expect(state.messageCount).toBe(1)
    } finally {
      await pool.close()
    }
  })

  it('refuses work after close', async () => {
    const pool = new AmqpPool({ urls: [BROKER.amqp] })
    await pool.close()
    const error = await failureOf(pool.checkQueue(broker.name, 'any'))
    expect(error.code).toBe('amqp-closed')
  })
})

/** The pool's connections to `vhost`, by the name it gives them. */
async function adminConnections(vhost: string): Promise<BrokerConnection[]> {
  return (await connections(vhost)).filter((c) => c.clientName === 'warren-admin-api')
}

// A closed connection leaves the broker's list a moment after the close returns.
async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
