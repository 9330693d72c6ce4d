import { defineTopology } from '@warren/sdk'

/** What every fault scenario publishes and consumes: one quorum work queue behind a topic exchange. */
export const faultTopology = defineTopology({
  exchanges: { faults: { type: 'topic' } },
  queues: {
    'faults.work': {
      bindings: [{ exchange: 'faults', routingKey: 'load.#' }],
      // Short tiers: the handler-throwing scenario retries within the run.
      retry: { delays: ['200ms'], maxAttempts: 3 },
    },
  },
})

export const EXCHANGE = 'faults'
export const ROUTING_KEY = 'load.tick'
export const WORK_QUEUE = 'faults.work'
export const DEAD_LETTER_QUEUE = 'faults.work.dlq'

/** The body of every load message. `faulty` marks those published while a handler fault ran. */
export interface Tick {
  id: string
  faulty: boolean
}
