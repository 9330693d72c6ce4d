import type { DeadLetterAges } from './head.js'
import { oldestOf } from './head.js'
import { toMessageView } from './message-view.js'
import { matches } from './search-text.js'
import type { QueueReader } from './reader.js'
import { ApiError } from '../errors.js'
import { MAX_OFFSET, type BrowseResult } from './schemas.js'

/** A search reads at most this many messages from the head of the queue. */
export const MAX_SEARCH_SCAN = 10_000

export interface BrowseQuery {
  limit: number
  offset: number
  search?: string | undefined
}

/**
 * A page of a dead-letter queue, or the matches of a search, read without changing the queue:
 * same messages, same count, same order, no message closer to a delivery limit (reader.ts).
 */
export async function browse(
  reader: QueueReader,
  ages: DeadLetterAges,
  vhost: string,
  queue: string,
  query: BrowseQuery,
): Promise<BrowseResult> {
  if (query.offset > MAX_OFFSET) {
    throw new ApiError(
      400,
      'offset-too-deep',
      'Page too deep for a live reading',
      `A dead-letter queue read live in RabbitMQ pages to offset ${MAX_OFFSET} at most; ` +
        'the dead-letter store pages at any depth.',
    )
  }
  const needle = query.search?.toLowerCase() || undefined
  const read = await reader.read(
    vhost,
    queue,
    needle ? MAX_SEARCH_SCAN : query.offset + query.limit,
  )
  const viewed = read.messages.map(({ id, message }) => ({
    message,
    view: { ...toMessageView(message), id },
  }))
  ages.record(vhost, queue, read.total === 0 ? null : oldestOf(viewed.map(({ view }) => view)))
  const reading = {
    mode: read.plan.mode,
    deliveryLimit: read.plan.deliveryLimit,
    readAt: new Date(read.readAt).toISOString(),
  }
  const found =
    needle === undefined
      ? viewed
      : viewed.filter(({ message, view }) => matches(view, message.content, needle))
  const page = found.slice(query.offset, query.offset + query.limit).map(({ view }) => view)
  return { total: needle === undefined ? read.total : found.length, items: page, reading }
}
