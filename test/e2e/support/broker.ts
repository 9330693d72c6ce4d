import { randomBytes } from 'node:crypto'
import amqp from 'amqplib'

const MANAGEMENT = process.env.WARREN_MANAGEMENT_URL ?? 'http://127.0.0.1:15672'
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`
const AMQP_BASE = 'amqp://guest:guest@127.0.0.1:5672'

async function management(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${MANAGEMENT}/api${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!response.ok && response.status !== 404) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  }
}

/** A vhost of the spec's own, made through the management API and deleted after. */
export interface TestVhost {
  name: string
  url: string
  /** Messages now in `queue`, through a passive declare (exact, no stats delay). */
  count(queue: string): Promise<number>
  delete(): Promise<void>
}

export async function createVhost(prefix: string): Promise<TestVhost> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`
  const encoded = encodeURIComponent(name)
  await management('PUT', `/vhosts/${encoded}`, {})
  await management('PUT', `/permissions/${encoded}/guest`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  })
  const url = `${AMQP_BASE}/${encoded}`
  return {
    name,
    url,
    async count(queue) {
      const connection = await amqp.connect(url)
      try {
        const channel = await connection.createChannel()
        return (await channel.checkQueue(queue)).messageCount
      } finally {
        await connection.close()
      }
    },
    delete: () => management('DELETE', `/vhosts/${encoded}`),
  }
}
