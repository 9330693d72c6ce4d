import type { Republish } from '../dead-letters/scan.js'
import type { AmqpPool } from '../rabbit/amqp.js'
import { ConfirmedPublisher, type PublishOutcome } from '../rabbit/amqp-publisher.js'

/**
 * Sends copies of stored dead letters through the default exchange, `mandatory`, with publisher
 * confirms. A `…Like` seam: the bulk runner's pacing and bookkeeping are tested without a broker.
 */
export interface CopyPublisher {
  /** One outcome per copy, in order; rejects when the channel itself fails. */
  publish(vhost: string, copies: Republish[]): Promise<PublishOutcome[]>
}

/** The publisher over the admin API's AMQP connections: one confirm channel per batch. */
export function amqpCopyPublisher(pool: AmqpPool): CopyPublisher {
  return {
    publish: (vhost, copies) =>
      pool.withConfirmChannel(vhost, async (channel) => {
        const publisher = new ConfirmedPublisher(channel)
        try {
          const outcomes = copies.map(
            (copy) =>
              new Promise<PublishOutcome>((resolve) =>
                publisher.publish(copy.routingKey, copy.content, copy.options, resolve),
              ),
          )
          return await Promise.all(outcomes)
        } finally {
          publisher.dispose()
        }
      }),
  }
}
