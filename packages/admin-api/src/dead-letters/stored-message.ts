// A stored dead letter seen as the AMQP message it was, so that the one message core (the view,
// the requeue header rules, the republished copy) serves the store as it serves a queue.
import type { Message, MessageProperties } from 'amqplib'
import { decodeFieldTable } from '../rabbit/field-table.js'
import { toPlainTable } from '../rabbit/field-values.js'
import { attachHeaderTable, keepRawProperties, safeHeadersOf } from '../rabbit/message-headers.js'
import type { StoredDeadLetter } from '../store/types.js'
import { toMessageView } from './message-view.js'
import { parseDeadLetter } from './parse.js'
import { republishOptions } from './republish.js'
import { requeueHeaders } from './requeue-headers.js'
import type { Republish } from './scan.js'
import type { MessageView } from './schemas.js'

/** What the console and the routes call a stored dead letter. */
export const storedId = (row: Pick<StoredDeadLetter, 'seq'>): string => String(row.seq)

/**
 * The row as amqplib would have delivered it: properties with the headers decoded from the
 * stored header table, which stays attached (as for a message read from a queue), so every reader
 * of typed headers sees each field with the type its producer gave it.
 */
export function toAmqpMessage(row: StoredDeadLetter): Message {
  const properties = { ...row.properties } as unknown as MessageProperties
  const table = row.headerTable
  if (table !== null) {
    const read = decodeFieldTable(table)
    // A table that does not read is shown without headers, as a queue's unreadable one would be.
    const headers = read.ok ? toPlainTable(read.value) : {}
    properties.headers = headers
    attachHeaderTable(properties, table, headers)
  }
  return {
    content: row.content,
    properties,
    fields: {
      deliveryTag: 0,
      redelivered: false,
      exchange: row.exchange,
      routingKey: row.routingKey,
    },
  }
}

/** The console's view of a stored dead letter; its id is the row's. */
export function storedView(row: StoredDeadLetter): MessageView {
  return { ...toMessageView(toAmqpMessage(row)), id: storedId(row) }
}

/** A copy to send, or why there is none. */
export type CopyPlan = { ok: true; copy: Republish } | { ok: false; reason: string }

export interface CopyRequest {
  /** Instead of the message's original queue. */
  target?: string | null | undefined
  /**
   * `requeue`: the message starts a new life (requeue-headers.ts); `move`: it goes as it is,
   * its history kept.
   */
  mode: 'requeue' | 'move'
  /** When the requeue happens (ISO 8601), for `warren-requeued-at`. */
  at: string
  /** Set over everything else; undefined removes a header. */
  headers?: Record<string, unknown>
  /** Instead of the stored body. */
  content?: Buffer
  /** Properties to leave out of the copy (e.g. `contentEncoding` of an edited body). */
  without?: (keyof MessageProperties)[]
}

/**
 * The copy of a stored dead letter that goes through the default exchange to its original
 * queue or `target`, never to the dead-letter queue it came from.
 */
export function copyOf(row: StoredDeadLetter, request: CopyRequest): CopyPlan {
  const message = toAmqpMessage(row)
  // Facts come from the headers as written (a `__proto__` header cannot forge an original queue).
  const written = safeHeadersOf(message.properties).headers
  const target = request.target ?? row.originalQueue ?? parseDeadLetter(written).originalQueue
  if (!target) return { ok: false, reason: 'no original queue is known: name a target' }
  if (target === row.queue) {
    return { ok: false, reason: 'the target is this dead-letter queue itself' }
  }
  const properties = { ...message.properties }
  for (const key of request.without ?? []) delete properties[key]
  const headers = {
    ...message.properties.headers,
    ...(request.mode === 'requeue' ? requeueHeaders(written, request.at) : {}),
    ...request.headers,
  }
  // A spread leaves the attached header table behind: it goes along explicitly.
  const options = republishOptions(keepRawProperties(message.properties, properties), headers)
  return {
    ok: true,
    copy: { routingKey: target, content: request.content ?? message.content, options },
  }
}
