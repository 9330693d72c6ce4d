import { randomBytes } from 'node:crypto'
import { connect, type ConfirmChannel } from 'amqplib'
import { BROKER, type TestBroker } from './brokers.js'
import { rabbitmqctl } from './ctl.js'
import { management } from './management.js'

/** A vhost of one test file's own, so files run in parallel and leave nothing behind. */
export interface TestVhost {
  broker: TestBroker
  /** `<prefix>-<8 hex digits>` */
  name: string
  /** `name` encoded for a URL path, as management API paths take it. */
  encoded: string
  /** The broker's AMQP URL with this vhost. */
  url: string
  /** Opens a connection and a confirm channel on the vhost, runs `use`, closes the connection. */
  withChannel<T>(use: (channel: ConfirmChannel) => Promise<T>): Promise<T>
  /** Messages ready in `queue`, through a passive declare: exact, with no statistics delay. */
  count(queue: string): Promise<number>
  /** Closes every client connection of this vhost at once (rabbitmqctl), never another's. */
  closeConnections(): Promise<void>
  /** Deletes the vhost and everything in it; the broker closes its connections. */
  remove(): Promise<void>
}

/**
 * Creates a vhost on `broker` (the broker under test unless named) and gives its AMQP user, and
 * the management user, every permission on it. Remove it in `afterAll`, or in `finally`.
 *
 * @example
 * let vhost: TestVhost
 * beforeAll(async () => (vhost = await createTestVhost('sdk-publish')))
 * afterAll(() => vhost?.remove())
 */
export async function createTestVhost(
  prefix: string,
  broker: TestBroker = BROKER,
): Promise<TestVhost> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`
  const encoded = encodeURIComponent(name)
  const base = new URL(broker.amqp)
  await management('PUT', `/api/vhosts/${encoded}`, undefined, broker)
  const users = new Set([decodeURIComponent(base.username) || 'guest', broker.user])
  for (const user of users) {
    await management(
      'PUT',
      `/api/permissions/${encoded}/${encodeURIComponent(user)}`,
      { configure: '.*', write: '.*', read: '.*' },
      broker,
    )
  }
  base.pathname = `/${encoded}`
  const url = base.toString()

  const withChannel = async <T>(use: (channel: ConfirmChannel) => Promise<T>): Promise<T> => {
    const connection = await connect(url)
    try {
      return await use(await connection.createConfirmChannel())
    } finally {
      await connection.close().catch(() => {})
    }
  }
  return {
    broker,
    name,
    encoded,
    url,
    withChannel,
    count: (queue) =>
      withChannel(async (channel) => (await channel.checkQueue(queue)).messageCount),
    async closeConnections() {
      await rabbitmqctl(
        ['close_all_connections', '-p', name, 'warren test: connection closed on purpose'],
        broker,
      )
    },
    async remove() {
      await management('DELETE', `/api/vhosts/${encoded}`, undefined, broker)
    },
  }
}
