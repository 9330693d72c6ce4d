import type { MessageProperties } from 'amqplib'
import { decodeFieldTable } from '../rabbit/field-table.js'
import { toPlainTable } from '../rabbit/field-values.js'
import { attachHeaderTable } from '../rabbit/message-headers.js'
import type { StoredDeadLetter } from '../store/types.js'
import { toMessageView } from './message-view.js'
import type { MessageView } from './schemas.js'

// A row of the dead-letter store back as the message it was, so that the one message core (the
// view, search, requeue headers, republish) treats a stored dead letter exactly as one read from
// its queue. The header table travels as wire bytes, so every header keeps its AMQP type.

/** The message of a stored row: content and amqplib-shaped properties with typed headers. */
export function storedMessage(
  row: Pick<StoredDeadLetter, 'content' | 'properties' | 'headerTable'>,
): {
  content: Buffer
  properties: MessageProperties
} {
  const properties = { ...row.properties } as unknown as MessageProperties
  if (row.headerTable !== null) {
    const decoded = decodeFieldTable(row.headerTable)
    const headers = decoded.ok ? toPlainTable(decoded.value) : {}
    properties.headers = headers as MessageProperties['headers']
    attachHeaderTable(properties, row.headerTable, headers)
  }
  return { content: row.content, properties }
}

/** The id a stored dead letter has in the API: its sequence number in the store. */
export const storedId = (row: Pick<StoredDeadLetter, 'seq'>): string => String(row.seq)

/** The sequence number an API id names; null when it names none. */
export function seqOf(id: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(id)) return null
  const seq = Number(id)
  return Number.isSafeInteger(seq) ? seq : null
}

/** What the console shows of a stored dead letter. */
export function storedView(row: StoredDeadLetter): MessageView {
  return { ...toMessageView(storedMessage(row)), id: storedId(row) }
}
