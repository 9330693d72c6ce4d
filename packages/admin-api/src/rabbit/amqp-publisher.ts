import type { ConfirmChannel, Message, Options } from 'amqplib'

/** What became of one publish: routed and confirmed, returned as unroutable, or refused. */
export type PublishOutcome = 'confirmed' | 'returned' | 'nacked'

interface InFlight {
  content: Buffer
  returned: boolean
}

/**
 * Publishes through the default exchange with `mandatory` and confirms, without waiting for one
 * confirm before the next publish, and tells each caller whether its message reached a queue.
 * The broker sends basic.return before the basic.ack of the same message, and both in publish
 * order, so a return belongs to the oldest unconfirmed message of its routing key and body.
 */
export class ConfirmedPublisher {
  readonly #channel: ConfirmChannel
  readonly #inFlight = new Map<string, InFlight[]>()
  #pending = 0
  #idle: Array<() => void> = []

  constructor(channel: ConfirmChannel) {
    this.#channel = channel
    channel.on('return', this.#onReturn)
  }

  /** Messages published and not yet confirmed. */
  get pending(): number {
    return this.#pending
  }

  publish(
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
    done: (outcome: PublishOutcome) => void,
  ): void {
    const entry: InFlight = { content, returned: false }
    const queue = this.#inFlight.get(routingKey)
    if (queue) queue.push(entry)
    else this.#inFlight.set(routingKey, [entry])
    this.#pending += 1
    this.#channel.publish('', routingKey, content, { ...options, mandatory: true }, (error) => {
      this.#pending -= 1
      const entries = this.#inFlight.get(routingKey)
      if (entries?.[0] === entry) entries.shift()
      else entries?.splice(entries.indexOf(entry), 1)
      done(error ? 'nacked' : entry.returned ? 'returned' : 'confirmed')
      if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve()
    })
  }

  /** Resolves once every message published so far is confirmed (or refused). */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  /** Stops listening to the channel. */
  dispose(): void {
    this.#channel.removeListener('return', this.#onReturn)
  }

  readonly #onReturn = (message: Message) => {
    const entry = this.#inFlight
      .get(message.fields.routingKey)
      ?.find((candidate) => !candidate.returned)
    if (entry) entry.returned = true
  }
}

/** Why a copy did not reach its queue, for the operator. */
export function describeOutcome(outcome: PublishOutcome, routingKey: string): string {
  return outcome === 'returned'
    ? `no queue '${routingKey}' to route to`
    : 'the broker refused the message (nack)'
}
