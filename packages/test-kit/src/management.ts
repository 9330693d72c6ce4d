import { BROKER, type TestBroker } from './brokers.js'

/**
 * A management API call on `broker` (the broker under test unless named), as its user. Resolves with
 * the response; rejects with the broker's answer on any status but 2xx, except a DELETE that finds
 * nothing (already gone is gone). `path` starts at the API's root: `/api/queues/...`.
 *
 * @example
 * const queues = await (await management('GET', `/api/queues/${vhost.encoded}`)).json()
 */
export async function management(
  method: string,
  path: string,
  body?: unknown,
  broker: TestBroker = BROKER,
): Promise<Response> {
  let response: Response
  try {
    response = await fetch(`${broker.management}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${broker.user}:${broker.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch (error) {
    throw new Error(
      `${broker.label}: no management API at ${broker.management} (is the broker running? ` +
        '`node scripts/broker.mjs`, or `pnpm rabbitmq start` for 4.3)',
      { cause: error },
    )
  }
  if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  }
  return response
}

/** The version `broker` reports, e.g. `4.3.6`. */
export async function brokerVersion(broker: TestBroker = BROKER): Promise<string> {
  const response = await management('GET', '/api/overview', undefined, broker)
  return ((await response.json()) as { rabbitmq_version: string }).rabbitmq_version
}
