import { randomUUID } from 'node:crypto'
import { ARCHIVE_HEADERS, BROKER_HEADERS } from '@warren/sdk/protocol'
import type { Channel, ConsumeMessage, Message, MessageProperties } from 'amqplib'
import { ApiError } from '../errors.js'
import type { Republish } from '../dead-letters/scan.js'
import { republishOptions } from '../dead-letters/republish.js'
import { amqpCode } from '../rabbit/amqp.js'
import type { AmqpPool } from '../rabbit/amqp.js'
import { attachHeaderTable, headerTableOf, keepRawProperties } from '../rabbit/message-headers.js'

/** The stream, in each vhost, that keeps a copy of every deleted or purged dead letter. */
export const ARCHIVE_STREAM = 'warren.archive'

/**
 * `archived`: a copy of a removed message. `restored`: notes that the record at
 * `warren-restored-offset` went back to its queue. `marker`: written by a reader to know where
 * the stream ended when it started reading.
 */
export type ArchiveKind = 'archived' | 'restored' | 'marker'

export interface ArchiveRecord {
  /** The record's stream offset: unique and stable within the vhost. */
  offset: number
  kind: ArchiveKind
  message: ConsumeMessage
}

/** Who removed a message, from where and when. */
export interface ArchiveStamp {
  from: string
  by: string
  at: string
}

const {
  kind: KIND,
  archivedFrom: FROM,
  archivedAt: AT,
  archivedBy: BY,
  restoredOffset: RESTORED_OFFSET,
  markerId: MARKER_ID,
  archivedHeaders: HEADER_TABLE,
} = ARCHIVE_HEADERS
/** What the archive adds to a message, and the stream's own offset: none of it is restored. */
const ADDED_HEADERS = [...Object.values(ARCHIVE_HEADERS), BROKER_HEADERS.streamOffset]

/** RabbitMQ's stream retention syntax: a number and one of Y, M, D, h, m, s. */
const MAX_AGE = /^\d+[YMDhms]$/

/** Reading gives up when the stream stays silent this long before the marker shows up. */
const READ_IDLE_MS = 10_000

export class Archive {
  readonly #pool: AmqpPool
  readonly #maxAge: string

  constructor(pool: AmqpPool, maxAge: string) {
    if (!MAX_AGE.test(maxAge)) {
      throw new TypeError(`archiveMaxAge must look like 7D, 12h or 30m, got '${maxAge}'`)
    }
    this.#pool = pool
    this.#maxAge = maxAge
  }

  /** Declares the stream; one declared earlier with another max age is used as it is. */
  async ensure(vhost: string): Promise<void> {
    try {
      await this.#pool.withChannel(vhost, (channel) =>
        channel.assertQueue(ARCHIVE_STREAM, {
          durable: true,
          arguments: { 'x-queue-type': 'stream', 'x-max-age': this.#maxAge },
        }),
      )
    } catch (error) {
      // 406 PRECONDITION_FAILED: it exists with other arguments, e.g. a retention set by hand.
      if (amqpCode(error) !== 406) throw error
      await this.#pool.checkQueue(vhost, ARCHIVE_STREAM, { countMatters: false })
    }
  }

  /** The archive copy of a dead letter: body, properties and headers, plus who/where/when. */
  copyOf(message: Message, stamp: ArchiveStamp): Republish {
    const options = republishOptions(message.properties, message.properties.headers ?? {})
    const table = headerTableOf(message.properties)
    options.headers = {
      ...streamable(options.headers as Record<string, unknown>),
      [KIND]: 'archived',
      [FROM]: stamp.from,
      [AT]: stamp.at,
      [BY]: stamp.by,
      // A stream keeps only simple header values (tables and arrays vanish, 4.x turns byte arrays
      // into strings), so the headers as they arrived also travel whole, as bytes, for a restore.
      ...(table ? { [HEADER_TABLE]: table.toString('base64') } : {}),
    }
    return { routingKey: ARCHIVE_STREAM, content: message.content, options }
  }

  /** The record that marks an archived message as restored. */
  restoredMark(offset: number, stamp: ArchiveStamp): Republish {
    return {
      routingKey: ARCHIVE_STREAM,
      content: Buffer.alloc(0),
      options: {
        headers: {
          [KIND]: 'restored',
          [RESTORED_OFFSET]: offset,
          [FROM]: stamp.from,
          [AT]: stamp.at,
          [BY]: stamp.by,
        },
      },
    }
  }

  /**
   * Every record of the vhost's archive, oldest first. A stream has no message count to bound a
   * read by, so the reader first appends a marker and reads up to it: records appended later are
   * not read, and the read always ends. Holds every record: for small selections (restore by
   * ids); listings walk instead.
   */
  async read(vhost: string): Promise<ArchiveRecord[]> {
    const records: ArchiveRecord[] = []
    await this.walk(vhost, (record) => void records.push(record))
    return records
  }

  /**
   * Hands each record to `visit`, oldest first, from stream offset `from` on, up to the marker
   * (as {@link read}) or until `visit` returns `'stop'`; nothing is kept, so memory stays bounded
   * whatever the archive's size.
   */
  async walk(
    vhost: string,
    visit: (record: ArchiveRecord) => void | 'stop',
    from?: number,
  ): Promise<void> {
    // A read declares nothing: a vhost that never archived has no stream and nothing to list.
    try {
      await this.#pool.checkQueue(vhost, ARCHIVE_STREAM, { countMatters: false })
    } catch (error) {
      if (error instanceof ApiError && error.code === 'queue-not-found') return
      throw error
    }
    const markerId = randomUUID()
    await this.#pool.withConfirmChannel(vhost, async (channel) => {
      channel.publish('', ARCHIVE_STREAM, Buffer.alloc(0), {
        headers: { [KIND]: 'marker', [MARKER_ID]: markerId },
      })
      await channel.waitForConfirms()
    })
    await this.#pool.withChannel(vhost, (channel) =>
      readUntil(channel, markerId, visit, from ?? 'first'),
    )
  }
}

/** The message as it was in its dead-letter queue, without the archive's own headers. */
export function originalOf(record: ArchiveRecord): {
  content: Buffer
  properties: MessageProperties
} {
  const { properties } = record.message
  const headers = { ...(properties.headers ?? {}) }
  const table: unknown = headers[HEADER_TABLE]
  for (const key of ADDED_HEADERS) delete headers[key]
  const original = { ...properties, headers }
  // A restore republishes every header with its own type: from the table kept whole by copyOf,
  // or, in a record archived before it kept one, from the record's own header bytes.
  return {
    content: record.message.content,
    properties:
      typeof table === 'string'
        ? attachHeaderTable(original, Buffer.from(table, 'base64'), headers)
        : keepRawProperties(properties, original),
  }
}

/** Headers without the top-level decimals a stream refuses (RabbitMQ closes the channel). */
function streamable(headers: Record<string, unknown>): Record<string, unknown> {
  const decimal = (value: unknown) =>
    typeof value === 'object' && value !== null && (value as { '!'?: unknown })['!'] === 'decimal'
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => !decimal(value)))
}

/** Where and when a record was archived or restored, and by whom. */
export function stampOf(record: ArchiveRecord): {
  from: string | null
  at: string | null
  by: string | null
} {
  const headers = record.message.properties.headers ?? {}
  const text = (value: unknown) => (typeof value === 'string' ? value : null)
  return { from: text(headers[FROM]), at: text(headers[AT]), by: text(headers[BY]) }
}

/** The offset a `restored` record points at. */
export function restoredOffset(record: ArchiveRecord): number | undefined {
  const value: unknown = record.message.properties.headers?.[RESTORED_OFFSET]
  return typeof value === 'number' ? value : undefined
}

function readUntil(
  channel: Channel,
  markerId: string,
  visit: (record: ArchiveRecord) => void | 'stop',
  from: number | 'first',
): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    let finished = false
    const end = (error?: unknown) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      // The caller closes the channel, which ends the consumer.
      if (error === undefined) resolve()
      else reject(error)
    }
    const arm = () => {
      clearTimeout(timer)
      if (finished) return
      timer = setTimeout(
        () =>
          end(new ApiError(504, 'archive-read-timeout', 'Reading the archive stream timed out')),
        READ_IDLE_MS,
      )
    }
    channel
      // Streams deliver only with a prefetch, and only to consumers that ack.
      .prefetch(1000)
      .then(() =>
        channel.consume(
          ARCHIVE_STREAM,
          (message) => {
            if (message === null)
              return end(new ApiError(404, 'archive-gone', 'The archive stream was deleted'))
            if (finished) return
            channel.ack(message)
            const headers = message.properties.headers ?? {}
            const kind = headers[KIND]
            const offset = headers['x-stream-offset']
            if (kind === 'marker') {
              if (headers[MARKER_ID] === markerId) end()
            } else if ((kind === 'archived' || kind === 'restored') && typeof offset === 'number') {
              if (visit({ offset, kind, message }) === 'stop') return end()
            }
            arm()
          },
          { noAck: false, arguments: { 'x-stream-offset': from } },
        ),
      )
      .then(arm, end)
  })
}
