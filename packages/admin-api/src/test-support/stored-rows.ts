// Dead letters as intake would hand them to the store: header tables in amqplib's own wire bytes,
// facts parsed by the one parser.
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parseDeadLetter } from '../dead-letters/parse.js'
import type { NewDeadLetter } from '../store/types.js'

// amqplib's package exports hide its codec; reached by file, it encodes exactly as publish does.
const require = createRequire(import.meta.url)
const codec = require(join(dirname(require.resolve('amqplib')), 'lib/codec.js')) as {
  encodeTable(buffer: Buffer, value: unknown, offset: number): number
}

function headerTable(headers: Record<string, unknown>): Buffer {
  const buffer = Buffer.alloc(64 * 1024)
  return Buffer.from(buffer.subarray(0, codec.encodeTable(buffer, Object.create(headers), 0)))
}

export interface RowInput {
  vhost: string
  queue: string
  body: unknown
  properties?: Record<string, unknown>
  headers?: Record<string, unknown>
  /** Failure group. @default 'group-a' */
  fingerprint?: string
}

/** A Warren-style dead letter of `origin`, for the store. */
export function newDeadLetter(input: RowInput): NewDeadLetter {
  const content = Buffer.isBuffer(input.body)
    ? input.body
    : Buffer.from(typeof input.body === 'string' ? input.body : JSON.stringify(input.body))
  const headers = input.headers ?? {}
  const facts = parseDeadLetter(headers)
  const properties: Record<string, unknown> = {
    contentType: 'application/json',
    ...input.properties,
  }
  return {
    vhost: input.vhost,
    queue: input.queue,
    content,
    properties,
    headerTable: Object.keys(headers).length === 0 ? null : headerTable(headers),
    exchange: '',
    routingKey: input.queue,
    redelivered: false,
    digest: createHash('sha256').update(content).update(JSON.stringify(properties)).digest('hex'),
    intakeAt: Date.now(),
    messageId: typeof properties['messageId'] === 'string' ? properties['messageId'] : null,
    deadLetteredAt: facts.deadLetteredAt === null ? null : Date.parse(facts.deadLetteredAt),
    reason: facts.reason,
    errorName: facts.error?.name ?? null,
    errorMessage: facts.error?.message ?? null,
    originalQueue: facts.originalQueue,
    originalRoutingKey: facts.routingKey,
    fingerprint: input.fingerprint ?? 'group-a',
    searchText: content.toString('utf8').toLowerCase(),
  }
}

/** `count` dead letters of `origin` in `queue`, message ids `<prefix>-<i>`. */
export function deadLettersOf(
  vhost: string,
  queue: string,
  origin: string,
  count: number,
  prefix = 'm',
  fingerprint = 'group-a',
): NewDeadLetter[] {
  return Array.from({ length: count }, (_, i) =>
    newDeadLetter({
      vhost,
      queue,
      body: { i },
      properties: { messageId: `${prefix}-${i}` },
      headers: {
        'warren-dead-letter-reason': 'max-attempts',
        'warren-original-queue': origin,
        'warren-attempt': 5,
        'warren-error-name': 'TypeError',
        'warren-error-message': 'boom',
      },
      fingerprint,
    }),
  )
}
