import type { Channel, ConsumeMessage } from 'amqplib'
import type { AmqpPool } from '../rabbit/amqp.js'
import { matches, toMessageView } from './message-view.js'
import type { BrowseResult } from './schemas.js'

/** A search reads at most this many messages from the head of the queue. */
export const MAX_SEARCH_SCAN = 10_000

export interface BrowseQuery {
  limit: number
  offset: number
  search?: string | undefined
}

/**
 * Reads messages without removing them: they are delivered unacked on a channel of their own,
 * and closing that channel gives them back to the broker, which puts them back in their places
 * (same count, same order).
 */
export async function browse(
  pool: AmqpPool,
  vhost: string,
  queue: string,
  query: BrowseQuery,
): Promise<BrowseResult> {
  const { messageCount } = await pool.checkQueue(vhost, queue)
  const needle = query.search?.toLowerCase() || undefined
  const want = Math.min(messageCount, needle ? MAX_SEARCH_SCAN : query.offset + query.limit)
  const messages = want === 0 ? [] : await pool.withChannel(vhost, (ch) => peek(ch, queue, want))
  if (messages.length > 0) await pool.settle(vhost, queue, messageCount)
  if (needle === undefined) {
    const page = messages.slice(query.offset, query.offset + query.limit)
    return { total: messageCount, items: page.map(toMessageView) }
  }
  const found = messages
    .map((message) => ({ message, view: toMessageView(message) }))
    .filter(({ message, view }) => matches(view, message.content, needle))
  return {
    total: found.length,
    items: found.slice(query.offset, query.offset + query.limit).map(({ view }) => view),
  }
}

/** The first `count` messages, left unacked: the caller's channel close returns them. */
function peek(channel: Channel, queue: string, count: number, idleMs = 1000) {
  return new Promise<ConsumeMessage[]>((resolve, reject) => {
    const messages: ConsumeMessage[] = []
    let timer: NodeJS.Timeout | undefined
    let finished = false
    const done = () => {
      finished = true
      clearTimeout(timer)
      resolve(messages)
    }
    // Fewer messages than counted (someone consumed them): stop waiting after a quiet spell.
    const arm = () => {
      clearTimeout(timer)
      if (!finished) timer = setTimeout(done, idleMs)
    }
    channel
      .prefetch(count)
      .then(() =>
        channel.consume(
          queue,
          (message) => {
            if (message === null) return done()
            if (messages.length < count) messages.push(message)
            if (messages.length === count) done()
            else arm()
          },
          { noAck: false },
        ),
      )
      .then(arm, reject)
  })
}
