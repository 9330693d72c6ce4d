import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import amqp, { type ChannelModel, type GetMessage } from 'amqplib'

const run = promisify(execFile)
const MANAGEMENT = process.env.WARREN_MANAGEMENT_URL ?? 'http://127.0.0.1:15672'
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`
const AMQP_BASE = 'amqp://guest:guest@127.0.0.1:5672'

/** A management API call; throws on an unexpected status. */
export async function management(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${MANAGEMENT}/api${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  if (!response.ok && response.status !== 404) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  }
  const text = await response.text()
  return text ? (JSON.parse(text) as unknown) : undefined
}

/** A vhost of a test file's own, so files run in parallel and leave nothing behind. */
export interface TestVhost {
  name: string
  url: string
  /** A plain amqplib connection for arranging and inspecting, closed by `delete()`. */
  raw(): Promise<ChannelModel>
  /** Every message now in `queue`, taken off it (acked). */
  drain(queue: string): Promise<GetMessage[]>
  /** Ready messages in `queue`, through a passive declare. */
  count(queue: string): Promise<number>
  /** Closes every connection of this vhost (never another's). */
  closeConnections(): Promise<void>
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
  let raw: ChannelModel | undefined
  const getRaw = async () => {
    if (!raw) {
      const model = await amqp.connect(url)
      model.on('error', () => {})
      // closeConnections() closes this one too: open a new one next time.
      model.on('close', () => {
        if (raw === model) raw = undefined
      })
      raw = model
    }
    return raw
  }
  return {
    name,
    url,
    raw: getRaw,
    async drain(queue) {
      const channel = await (await getRaw()).createChannel()
      const messages: GetMessage[] = []
      try {
        for (;;) {
          const message = await channel.get(queue, { noAck: true })
          if (message === false) break
          messages.push(message)
        }
      } finally {
        await channel.close().catch(() => {})
      }
      return messages
    },
    async count(queue) {
      const channel = await (await getRaw()).createChannel()
      try {
        return (await channel.checkQueue(queue)).messageCount
      } finally {
        await channel.close().catch(() => {})
      }
    },
    async closeConnections() {
      // rabbitmqctl acts at once; the management API lists connections only after its next
      // stats tick. Scoped to this vhost: other test files' connections are left alone.
      await run('/usr/sbin/rabbitmqctl', [
        'close_all_connections',
        '-p',
        name,
        'warren test: connection closed on purpose',
      ])
    },
    async delete() {
      try {
        await raw?.close().catch(() => {})
      } finally {
        await management('DELETE', `/vhosts/${encoded}`)
      }
    },
  }
}

/** Resolves when `predicate` holds, polling; rejects with `message` after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
