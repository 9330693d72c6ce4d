import { amqpCode, type AmqpPool } from '../rabbit/amqp.js'

/** A queue's depth and consumers as a passive declare answers them: exact, at this moment. */
export interface DeclaredCounts {
  ready: number
  consumers: number
}

/** Channel-close codes after which the next queue is asked on a fresh channel. */
const SKIPPED = new Set([
  404, // NOT_FOUND: deleted since the management API listed it
  405, // RESOURCE_LOCKED: exclusive to another connection
])

/**
 * Asks the broker for each queue's counts with a passive `queue.declare`, which creates nothing,
 * takes no message and answers even where the management API keeps no statistics. The queues
 * of one vhost share a channel; a queue the broker refuses to name (gone, exclusive to another
 * connection) has no entry and the others are still asked.
 */
export async function declaredCounts(
  pool: AmqpPool,
  vhost: string,
  names: readonly string[],
): Promise<Map<string, DeclaredCounts>> {
  const counts = new Map<string, DeclaredCounts>()
  let next = 0
  while (next < names.length) {
    try {
      await pool.withChannel(vhost, async (channel) => {
        for (; next < names.length; next++) {
          const name = names[next] as string
          const ok = await channel.checkQueue(name)
          counts.set(name, { ready: ok.messageCount, consumers: ok.consumerCount })
        }
      })
    } catch (error) {
      const code = amqpCode(error)
      if (code === undefined || !SKIPPED.has(code)) throw error
      next++
    }
  }
  return counts
}
