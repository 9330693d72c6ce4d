// The SDK tests' vhost: the test kit's throwaway vhost on the broker under test, with one plain
// amqplib connection kept open for arranging and inspecting.
import amqp, { type ChannelModel, type GetMessage } from 'amqplib'
import { brokerVersion, createTestVhost, management as call } from '@warren/test-kit'

/** A management API call under `/api`, resolving with the parsed answer; throws unless 2xx. */
export async function management(method: string, path: string, body?: unknown): Promise<unknown> {
  const text = await (await call(method, `/api${path}`, body)).text()
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
  /** Closes every connection of this vhost (never another's), at once, through rabbitmqctl. */
  closeConnections(): Promise<void>
  delete(): Promise<void>
}

export async function createVhost(prefix: string): Promise<TestVhost> {
  const vhost = await createTestVhost(prefix)
  let raw: ChannelModel | undefined
  const getRaw = async () => {
    if (!raw) {
      const model = await amqp.connect(vhost.url)
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
    name: vhost.name,
    url: vhost.url,
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
    closeConnections: vhost.closeConnections,
    async delete() {
      try {
        await raw?.close().catch(() => {})
      } finally {
        await vhost.remove()
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

/** The major version the broker under test reports in its management overview (3, 4, ...). */
export async function brokerMajor(): Promise<number> {
  return Number.parseInt((await brokerVersion()).split('.')[0] ?? '', 10)
}
