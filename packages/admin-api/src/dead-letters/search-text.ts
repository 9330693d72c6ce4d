import type { MessageView } from './schemas.js'

// What a search looks through: one rule for the live reading (browse.ts, the stream archive) and
// the store (its search text is made at intake).

/** A search reads at most this much of a body's text. */
const MAX_SEARCHED_BODY = 64 * 1024

/**
 * What a search looks through, in lower case: the id, message id, reason, routing key, original
 * queue, error, header values and body text. One rule for the live reading and the store.
 */
export function searchTextOf(view: MessageView, content: Buffer): string {
  const fields = [
    view.id,
    view.messageId,
    view.reason,
    view.routingKey,
    view.originalQueue,
    view.error?.name,
    view.error?.message,
    JSON.stringify(view.headers),
    bodyText(view, content)?.slice(0, MAX_SEARCHED_BODY),
  ]
  return fields
    .filter((value) => typeof value === 'string')
    .join('\n')
    .toLowerCase()
}

/** Whether `needle` (lower case) occurs in what {@link searchTextOf} gives. */
export function matches(view: MessageView, content: Buffer, needle: string): boolean {
  return searchTextOf(view, content).includes(needle)
}

/** A decoded body is searched as shown (its bytes are compressed or in another charset). */
function bodyText(view: MessageView, content: Buffer): string | null {
  if (view.payloadEncoding === 'encrypted') return null
  if (view.rawPayload === undefined) return content.toString('utf8')
  return typeof view.payload === 'string' ? view.payload : JSON.stringify(view.payload)
}
