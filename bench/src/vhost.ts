import amqplib from 'amqplib'
import { connect } from '@warren/sdk'
import { benchTopology, type QueueType } from './clients.js'

const amqpBase = (process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672').split(
  ',',
)[0] as string
const management = process.env.WARREN_MANAGEMENT_URL ?? 'http://127.0.0.1:15672'
const authorization = `Basic ${Buffer.from(
  `${process.env.WARREN_MANAGEMENT_USER ?? 'guest'}:${process.env.WARREN_MANAGEMENT_PASSWORD ?? 'guest'}`,
).toString('base64')}`

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, management), {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  if (!response.ok && response.status !== 404) {
    throw new Error(`${method} ${path}: HTTP ${response.status}`)
  }
}

let sequence = 0

/** A vhost of the benchmark's own, with helpers to make and remove fresh queues in it. */
export class BenchVhost {
  readonly name: string
  readonly url: string
  serverVersion = 'unknown'

  private constructor(name: string) {
    this.name = name
    const url = new URL(amqpBase)
    url.pathname = `/${encodeURIComponent(name)}`
    this.url = url.toString()
  }

  static async create(): Promise<BenchVhost> {
    const vhost = new BenchVhost(`warren-bench-${process.pid}`)
    const path = encodeURIComponent(vhost.name)
    await api('PUT', `/api/vhosts/${path}`)
    await api('PUT', `/api/permissions/${path}/guest`, { configure: '.*', write: '.*', read: '.*' })
    const connection = await amqplib.connect(vhost.url)
    vhost.serverVersion = String(connection.connection.serverProperties.version ?? 'unknown')
    await connection.close()
    return vhost
  }

  /** A new queue, declared through the SDK's topology so every variant gets the same arguments. */
  async freshQueue(prefix: string, type: QueueType): Promise<string> {
    sequence += 1
    const queue = `${prefix}.${type}.${sequence}`
    const broker = await connect({ url: this.url, topology: benchTopology(queue, type) })
    await broker.close()
    return queue
  }

  async deleteQueue(queue: string): Promise<void> {
    await api('DELETE', `/api/queues/${encodeURIComponent(this.name)}/${encodeURIComponent(queue)}`)
  }

  /** Fills a queue with `count` persistent messages through a raw confirm channel. */
  async preload(
    queue: string,
    count: number,
    payload: Buffer,
    headers: Record<string, string> = {},
  ): Promise<void> {
    const connection = await amqplib.connect(this.url)
    try {
      const channel = await connection.createConfirmChannel()
      for (let i = 0; i < count; i++) {
        if (
          !channel.publish('', queue, payload, {
            persistent: true,
            contentType: 'application/octet-stream',
            headers,
          })
        ) {
          await new Promise((resolve) => channel.once('drain', resolve))
        }
      }
      await channel.waitForConfirms()
    } finally {
      await connection.close()
    }
  }

  async delete(): Promise<void> {
    await api('DELETE', `/api/vhosts/${encodeURIComponent(this.name)}`)
  }
}
