// The brokers the admin API's tests run on: the machine's RabbitMQ (3.10 here) and a RabbitMQ 4.3
// node (`pnpm rabbitmq start`, which CI runs before the tests). Each is a base AMQP URL and a
// management URL, read from the environment so a contributor can point them elsewhere.
import { connect, type ConfirmChannel } from 'amqplib'
import { createApp, type WarrenApp } from '../app.js'
import { tempDir, testConfig } from './core.js'

export interface TestBroker {
  label: string
  amqp: string
  management: string
}

export const BROKER_3_10: TestBroker = {
  label: 'the machine broker',
  amqp: process.env['WARREN_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
  management: process.env['WARREN_MANAGEMENT_URL'] ?? 'http://127.0.0.1:15672',
}

export const BROKER_4_3: TestBroker = {
  label: 'RabbitMQ 4.3',
  amqp: process.env['WARREN_TEST_AMQP_URL_4_3'] ?? 'amqp://guest:guest@127.0.0.1:5682',
  management: process.env['WARREN_TEST_MANAGEMENT_URL_4_3'] ?? 'http://127.0.0.1:15682',
}

const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`

/** A management API call on `broker`; throws with the broker's answer when it fails. */
export async function manage(broker: TestBroker, method: string, path: string, body?: unknown) {
  let response: Response
  try {
    response = await fetch(`${broker.management}${path}`, {
      method,
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch (error) {
    throw new Error(
      `${broker.label} is not reachable at ${broker.management} (start it with \`pnpm rabbitmq start\`)`,
      { cause: error },
    )
  }
  if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  }
  return response
}

/** The version the broker reports, e.g. `4.3.6`. */
export async function brokerVersion(broker: TestBroker): Promise<string> {
  const overview = (await (await manage(broker, 'GET', '/api/overview')).json()) as {
    rabbitmq_version: string
  }
  return overview.rabbitmq_version
}

/** A vhost of the test's own on `broker`, and an admin API that watches only it. */
export async function brokerTestApp(
  broker: TestBroker,
  prefix: string,
  env: Record<string, string> = {},
) {
  const name = `${prefix}-${process.pid}-${Date.now().toString(36)}`
  const encoded = encodeURIComponent(name)
  await manage(broker, 'PUT', `/api/vhosts/${encoded}`)
  await manage(broker, 'PUT', `/api/permissions/${encoded}/guest`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  })
  const dir = await tempDir()
  const url = `${broker.amqp}/${encoded}`
  let warren: WarrenApp | undefined
  const start = () => {
    warren = createApp(
      testConfig(dir.path, {
        WARREN_VHOSTS: name,
        WARREN_AMQP_URL: broker.amqp,
        WARREN_MANAGEMENT_URL: broker.management,
        ...env,
      }),
    )
    return warren
  }
  return {
    name,
    encoded,
    url,
    start,
    async channel<T>(use: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
      const connection = await connect(url)
      try {
        return await use(await connection.createConfirmChannel())
      } finally {
        await connection.close()
      }
    },
    async remove() {
      try {
        await warren?.close()
      } finally {
        await manage(broker, 'DELETE', `/api/vhosts/${encoded}`)
        await dir.remove()
      }
    },
  }
}
